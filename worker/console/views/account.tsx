import type { FC } from 'hono/jsx'
import type { FinancialStanding } from '../../../shared/index.ts'
import type { AccountSummary, AmendmentDetail } from '../../ledger/views.ts'
import { DataTable } from './data-table.tsx'
import { at } from './format.ts'
import { Layout, type Viewer } from './layout.tsx'

const Pairs: FC<{ rows: Array<[string, string | number | undefined]> }> = ({ rows }) => (
  <dl>
    {rows.map(([k, v]) => (
      <>
        <dt>{k}</dt>
        <dd>{v ?? '—'}</dd>
      </>
    ))}
  </dl>
)

const OpenWork: FC<{ summary: AccountSummary }> = ({ summary }) => (
  <DataTable caption="Open amendments" headers={['Amendment', 'State', 'Step', 'Attempts', 'Why']}>
    {summary.open.map((a) => (
      <tr>
        <td>
          <a href={`/console/accounts/${summary.accountId}/amendments/${encodeURIComponent(a.id)}`}>
            {a.subscriptionKey} #{a.sequence} {a.action}
          </a>
        </td>
        <td>{a.state}</td>
        <td>{a.step}</td>
        <td>{a.attempts}</td>
        <td>{a.errorCode ? `${a.errorCode}: ${a.errorMessage ?? ''}` : '—'}</td>
      </tr>
    ))}
  </DataTable>
)

/** One account: its cross-references, amendment counts, subscriptions, open work and standing. */
export const AccountPage: FC<{
  summary: AccountSummary
  standing?: FinancialStanding
  viewer: Viewer
}> = ({ summary, standing, viewer }) => (
  <Layout title={`Account ${summary.accountId}`} section="account" viewer={viewer}>
    <h2>Cross-references</h2>
    <Pairs
      rows={[
        ['Billing customer', summary.xref.billingCustomerId],
        ['ERP customer', summary.xref.erpCustomerId],
        ['ERP subsidiary', summary.xref.erpSubsidiaryId],
        ['Standing', standing?.standing],
        ['Status updates waiting for Salesforce', summary.statusOutbox.pending],
      ]}
    />
    <h2>Amendments by state</h2>
    <Pairs rows={Object.entries(summary.counts)} />
    <DataTable
      caption="Subscriptions"
      headers={['Key', 'Applied up to', 'Resolved up to', 'Billing subscription', 'Status']}
    >
      {summary.subscriptions.map((s) => (
        <tr>
          <td>{s.key}</td>
          <td>{s.appliedSequence}</td>
          <td>{s.resolvedSequence}</td>
          <td>{s.billingSubscriptionId ?? '—'}</td>
          <td>{s.status ?? '—'}</td>
        </tr>
      ))}
    </DataTable>
    {summary.open.length > 0 ? <OpenWork summary={summary} /> : <p>No open amendments.</p>}
  </Layout>
)

/** One amendment: where it is, why, and every change it went through (the audit trail). */
export const AmendmentPage: FC<{ accountId: string; detail: AmendmentDetail; viewer: Viewer }> = ({
  accountId,
  detail: d,
  viewer,
}) => (
  <Layout title={`Amendment ${d.subscriptionKey} #${d.sequence}`} section="account" viewer={viewer}>
    <p>
      <a href={`/console/accounts/${accountId}`}>Account {accountId}</a>
    </p>
    <Pairs
      rows={[
        ['Id', d.id],
        ['Action', d.action],
        ['State', d.state],
        ['Step', d.step],
        ['Attempts', d.attempts],
        ['Next attempt', d.nextAttemptAt ? at(d.nextAttemptAt) : undefined],
        ['Error', d.errorCode ? `${d.errorCode}: ${d.errorMessage ?? ''}` : undefined],
        ['Billing reference', d.billingRef],
        ['ERP reference', d.erpRef],
        ['Correlation id', d.correlationId],
        ['Received', at(d.receivedAt)],
      ]}
    />
    <DataTable caption="Audit trail" headers={['At', 'Who', 'What', 'State', 'Detail']}>
      {d.audit.map((a) => (
        <tr>
          <td>{at(a.at)}</td>
          <td>{a.actor}</td>
          <td>{a.action}</td>
          <td>{a.fromState || a.toState ? `${a.fromState ?? '—'} → ${a.toState ?? '—'}` : ''}</td>
          <td>{a.detail ? <code>{JSON.stringify(a.detail)}</code> : ''}</td>
        </tr>
      ))}
    </DataTable>
  </Layout>
)
