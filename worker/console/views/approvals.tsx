import type { FC } from 'hono/jsx'
import type { PlannedCall } from '../../connectors/types.ts'
import type { ActionDiff } from '../../ledger/dry-run.ts'
import { isMoneyDiff, type MoneyDiff } from '../../ledger/money-plan.ts'
import type { ActionAuditLine, ActionRequest } from '../../ops/action-requests.ts'
import { hasRole } from '../roles.ts'
import { DataTable } from './data-table.tsx'
import { ReasonForm } from './reason-form.tsx'
import { at } from './format.ts'
import { CsrfField, Layout, Notice, type Viewer } from './layout.tsx'

export interface ApprovalsView {
  pending: ActionRequest[]
  recent: ActionRequest[]
  viewer: Viewer
}

export interface ApprovalView {
  request: ActionRequest
  audit: ActionAuditLine[]
  viewer: Viewer
  notice?: { text: string; bad?: boolean }
}

const requestHref = (r: ActionRequest) => `/console/approvals/${encodeURIComponent(r.id)}`

/** Minor units as money: `12.50 USD`; a negative amount is a credit. */
function money(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency}`
}

const RequestsTable: FC<{ items: ActionRequest[]; caption: string }> = ({ items, caption }) => (
  <DataTable
    caption={caption}
    headers={['Request', 'Target', 'Asked by', 'Asked', 'State', 'Amount due']}
  >
    {items.map((r) => {
      const preview = r.diff?.billing?.preview
      const moved = r.diff && isMoneyDiff(r.diff) ? r.diff : undefined
      return (
        <tr>
          <td>
            <a href={requestHref(r)}>{r.kind}</a>
          </td>
          <td>
            <code>{r.target}</code>
          </td>
          <td>{r.requestedBy}</td>
          <td>{at(r.createdAt)}</td>
          <td>{r.state}</td>
          <td>
            {preview
              ? money(preview.amountDue, preview.currency)
              : moved
                ? `${money(moved.amount, moved.currency)} (${moved.kind})`
                : '—'}
          </td>
        </tr>
      )
    })}
  </DataTable>
)

/** Pending requests first (what approvers act on), then the latest decided ones. */
export const ApprovalsPage: FC<{ view: ApprovalsView }> = ({ view }) => (
  <Layout title="Approvals" section="approvals" viewer={view.viewer}>
    <p>
      Retries and skips that create or change money wait here for a second person with the approver
      role. <a href="/console/audit.csv">Download the audit (CSV)</a>
    </p>
    <section aria-labelledby="pending-title">
      <h2 id="pending-title">Waiting for approval ({view.pending.length})</h2>
      {view.pending.length === 0 ? (
        <p>Nothing waits for approval.</p>
      ) : (
        <RequestsTable items={view.pending} caption="Pending requests, newest first" />
      )}
    </section>
    <section aria-labelledby="recent-title">
      <h2 id="recent-title">Recent requests</h2>
      <RequestsTable items={view.recent} caption="Latest requests in any state" />
    </section>
  </Layout>
)

const CallsTable: FC<{ calls: PlannedCall[] }> = ({ calls }) => (
  <DataTable caption="Stripe calls, in order" headers={['Call', 'Idempotency key', 'Parameters']}>
    {calls.map((c) => (
      <tr>
        <td>
          <code>
            {c.method} {c.path}
          </code>
        </td>
        <td>
          <code>{c.idempotencyKey ?? '—'}</code>
        </td>
        <td>
          <ul>
            {Object.entries(c.params).map(([k, v]) => (
              <li>
                <code>{k}</code> = <code>{v}</code>
              </li>
            ))}
          </ul>
        </td>
      </tr>
    ))}
  </DataTable>
)

const Billing: FC<{ diff: ActionDiff }> = ({ diff }) => {
  const plan = diff.billing
  if (!plan) return <p>Billing is done; nothing more is billed.</p>
  const { preview } = plan
  return (
    <>
      {plan.calls.length === 0 ? (
        <p>Stripe already holds this change: no call would be made.</p>
      ) : (
        <CallsTable calls={plan.calls} />
      )}
      <DataTable
        caption={
          <>
            Priced by Stripe at{' '}
            {diff.pricedAt ? at(new Date(diff.pricedAt * 1000).toISOString()) : '—'}
          </>
        }
        headers={['Line', 'Amount']}
      >
        {preview.lines.map((l) => (
          <tr>
            <td>
              {l.description}
              {l.proration ? ' (proration)' : ''}
            </td>
            <td>{money(l.amount, preview.currency)}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">Total · amount due</th>
          <td>
            {money(preview.total, preview.currency)} · {money(preview.amountDue, preview.currency)}
          </td>
        </tr>
      </DataTable>
    </>
  )
}

/** A credit note's or refund's plan: the Stripe call with its amounts, and the ERP records. */
const MoneyPlan: FC<{ diff: MoneyDiff }> = ({ diff }) => (
  <section aria-labelledby="diff-title">
    <h2 id="diff-title">
      What approving makes happen: a {diff.kind} of {money(diff.amount, diff.currency)}
    </h2>
    <p>
      On {diff.source.document} ({diff.source.status}, total{' '}
      {money(diff.source.total, diff.currency)}, still{' '}
      {diff.kind === 'credit' ? 'creditable' : 'refundable'}{' '}
      {money(diff.source.available, diff.currency)}); computed {at(diff.computedAt)} from the
      vendors' state.
    </p>
    <ul>
      {diff.notes.map((n) => (
        <li>{n}</li>
      ))}
    </ul>
    <h3>Billing</h3>
    <CallsTable calls={diff.calls} />
    <h3>ERP</h3>
    <ul>
      {diff.erp.map((e) => (
        <li>
          Upsert {e.record} <code>{e.externalId}</code> for customer {e.customerId}: {e.amount}{' '}
          {diff.currency}
        </li>
      ))}
    </ul>
  </section>
)

/** The dry-run diff: what the action lets happen (retry) or withholds for good (skip). */
const Diff: FC<{ diff: ActionDiff }> = ({ diff }) => (
  <section aria-labelledby="diff-title">
    <h2 id="diff-title">
      {diff.effect === 'apply'
        ? 'What approving makes happen'
        : 'What approving withholds for good'}
    </h2>
    <p>
      {diff.amendment.subscriptionKey} #{diff.amendment.sequence} {diff.amendment.action}, at its{' '}
      {diff.amendment.step} step; computed {at(diff.computedAt)} from the vendors' state.
    </p>
    {diff.notes.length > 0 ? (
      <ul>
        {diff.notes.map((n) => (
          <li>{n}</li>
        ))}
      </ul>
    ) : null}
    <h3>Billing</h3>
    <Billing diff={diff} />
    <h3>ERP</h3>
    {diff.erp ? (
      <p>
        Upsert {diff.erp.record} <code>{diff.erp.externalId}</code>: item {diff.erp.itemId ?? '—'},
        quantity {diff.erp.quantity ?? '—'}, rate {diff.erp.rate ?? '—'}
        {diff.erp.note ? ` (${diff.erp.note})` : ''}.
      </p>
    ) : (
      <p>Nothing is written to the ERP.</p>
    )}
  </section>
)

const Decide: FC<{ request: ActionRequest; viewer: Viewer }> = ({ request, viewer }) => {
  if (request.state !== 'pending') return null
  if (!hasRole(viewer.role, 'approver')) return <p>An approver decides this request.</p>
  if (request.requestedBy === viewer.name)
    return <p>You asked for this action: another approver must approve or reject it.</p>
  const base = requestHref(request)
  return (
    <section aria-labelledby="decide-title">
      <h2 id="decide-title">Decide</h2>
      <form class="inline" method="post" action={`${base}/approve`}>
        <CsrfField token={viewer.csrf} />
        <button type="submit">Approve and run</button>
      </form>
      <ReasonForm
        action={`${base}/reject`}
        csrf={viewer.csrf}
        id="reject-reason"
        label="Why reject (required)"
        button="Reject"
        required
      />
    </section>
  )
}

const Trail: FC<{ audit: ActionAuditLine[] }> = ({ audit }) => (
  <section aria-labelledby="trail-title">
    <h2 id="trail-title">Audit trail</h2>
    <DataTable headers={['When', 'What', 'Who', 'Detail']}>
      {audit.map((a) => (
        <tr>
          <td>{at(a.at)}</td>
          <td>{a.action}</td>
          <td>{a.actor}</td>
          <td>{a.detail ? <code>{JSON.stringify(a.detail)}</code> : ''}</td>
        </tr>
      ))}
    </DataTable>
  </section>
)

/** One request: who asked for what and why, the diff, the decision forms, the audit trail. */
export const ApprovalPage: FC<{ view: ApprovalView }> = ({ view }) => {
  const r = view.request
  return (
    <Layout title={`Request: ${r.kind} ${r.target}`} section="approvals" viewer={view.viewer}>
      <Notice text={view.notice?.text} bad={view.notice?.bad} />
      <dl>
        <dt>State</dt>
        <dd>{r.state}</dd>
        <dt>Asked by</dt>
        <dd>
          {r.requestedBy}, {at(r.createdAt)}
          {r.reason ? `: ${r.reason}` : ''}
        </dd>
        <dt>Expires</dt>
        <dd>{at(r.expiresAt)}</dd>
        <dt>Correlation id</dt>
        <dd>
          <code>{r.correlationId}</code>
        </dd>
        {r.decidedBy ? (
          <>
            <dt>Decided by</dt>
            <dd>
              {r.decidedBy}, {at(r.decidedAt)}
              {r.outcome ? `: ${r.outcome}` : ''}
            </dd>
          </>
        ) : null}
      </dl>
      {r.diff ? (
        isMoneyDiff(r.diff) ? (
          <MoneyPlan diff={r.diff} />
        ) : (
          <Diff diff={r.diff} />
        )
      ) : (
        <p>This action needed no approval and has no diff.</p>
      )}
      <Decide request={r} viewer={view.viewer} />
      <Trail audit={view.audit} />
    </Layout>
  )
}
