import type { FC } from 'hono/jsx'
import type { TraceAmendment, TraceCall, TraceStep } from '../../ledger/trace.ts'
import type { TraceMatch } from '../../ops/trace-index.ts'
import type { TraceAccount, TraceLinks, TraceResult } from '../trace-lookup.ts'
import { DataTable } from './data-table.tsx'
import { at } from './format.ts'
import { Layout, Notice, type Viewer } from './layout.tsx'

/** A link to the vendor's own UI, opening apart from the console; plain text when unknown. */
const Out: FC<{ href?: string; text: string }> = ({ href, text }) =>
  href ? (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {text}
      <span class="sr-only"> (opens in a new tab)</span>
    </a>
  ) : (
    <code>{text}</code>
  )

/** The search box: a plain GET form, so it works without JavaScript. */
export const TraceSearch: FC<{ q?: string }> = ({ q }) => (
  <form class="inline" method="get" action="/console/trace" role="search">
    <div>
      <label for="trace-q">Correlation id, Salesforce, Stripe or NetSuite id</label>
      <input type="text" id="trace-q" name="q" value={q ?? ''} required maxlength={200} />
    </div>
    <button type="submit">Find</button>
  </form>
)

const EventFacts: FC<{ a: TraceAmendment }> = ({ a }) => {
  const e = a.event
  const rows: Array<[string, string | number | undefined]> = [
    ['EventUuid', e.id],
    ['Replay id', e.replayId],
    ['Published', at(e.createdAt)],
    ['Received', at(a.detail.receivedAt)],
    ['Subscription', `${e.subscriptionKey} #${e.sequence}`],
    ['Action', e.action],
    ['Price', e.priceKey],
    ['Quantity', e.quantity],
    ['Effective', e.effectiveDate],
    ['Requested by', e.requestedBy],
  ]
  return (
    <dl class="pairs">
      {rows.map(([k, v]) => (
        <>
          <dt>{k}</dt>
          <dd>{v ?? '—'}</dd>
        </>
      ))}
    </dl>
  )
}

const Steps: FC<{ steps: TraceStep[]; n: number }> = ({ steps, n }) => (
  <table>
    <caption id={`steps-${n}`}>Ledger steps and their attempts</caption>
    <thead>
      <tr>
        <th scope="col">Step</th>
        <th scope="col">Status</th>
        <th scope="col">Attempts</th>
      </tr>
    </thead>
    <tbody>
      {steps.map((s) => (
        <tr>
          <th scope="row">{s.step}</th>
          <td>{s.status}</td>
          <td>
            {s.attempts.length === 0 ? (
              '—'
            ) : (
              <ol>
                {s.attempts.map((line) => (
                  <li>
                    {at(line.at)} {line.action}
                    {line.detail?.attempts ? ` (attempt ${String(line.detail.attempts)})` : ''}
                  </li>
                ))}
              </ol>
            )}
          </td>
        </tr>
      ))}
    </tbody>
  </table>
)

const Calls: FC<{ steps: TraceStep[] }> = ({ steps }) => {
  const calls = steps.flatMap((s) => s.calls.map((c): [string, TraceCall] => [s.step, c]))
  if (calls.length === 0) return <p>No vendor calls recorded for this amendment.</p>
  return (
    <DataTable
      caption="Vendor calls"
      headers={['At', 'Step', 'System', 'Call', 'Status', 'Idempotency key', 'Duration']}
    >
      {calls.map(([step, c]) => (
        <tr>
          <td>{at(c.at)}</td>
          <td>{step}</td>
          <td>{c.system}</td>
          <td>
            <code>
              {c.method} {c.path}
            </code>
          </td>
          <td>{c.status === 0 ? 'no answer' : c.status}</td>
          <td>{c.idempotencyKey ? <code>{c.idempotencyKey}</code> : '—'}</td>
          <td>{c.durationMs} ms</td>
        </tr>
      ))}
    </DataTable>
  )
}

const WrittenBack: FC<{ a: TraceAmendment; links: TraceLinks }> = ({ a, links }) => {
  const { billingRef, erpRef } = a.detail
  return (
    <>
      <h4>Records written back</h4>
      <ul>
        {a.writtenBack.map((w) => (
          <li>
            Salesforce <code>{w.object}</code> <code>{w.externalId}</code>: {w.status} (handed to
            the writer {at(w.handedAt)})
          </li>
        ))}
        {billingRef ? (
          <li>
            Stripe: <Out href={links.stripeBilling?.[billingRef]} text={billingRef} />
          </li>
        ) : null}
        {erpRef ? (
          <li>
            NetSuite: <Out href={links.netsuiteOrders?.[erpRef]} text={erpRef} />
          </li>
        ) : null}
        {a.writtenBack.length === 0 && !billingRef && !erpRef ? <li>Nothing yet.</li> : null}
      </ul>
    </>
  )
}

const Audit: FC<{ a: TraceAmendment }> = ({ a }) => (
  <DataTable caption="Audit trail" headers={['At', 'Who', 'What', 'State']}>
    {a.detail.audit.map((line) => (
      <tr>
        <td>{at(line.at)}</td>
        <td>{line.actor}</td>
        <td>{line.action}</td>
        <td>
          {line.fromState ?? ''}
          {line.toState && line.toState !== line.fromState ? ` → ${line.toState}` : ''}
        </td>
      </tr>
    ))}
  </DataTable>
)

const AmendmentTrace: FC<{ a: TraceAmendment; links: TraceLinks; n: number }> = (p) => {
  const d = p.a.detail
  const href = `/console/accounts/${p.a.event.accountId}/amendments/${encodeURIComponent(d.id)}`
  return (
    <section aria-labelledby={`amendment-${p.n}`}>
      <h3 id={`amendment-${p.n}`}>
        <a href={href}>
          {d.subscriptionKey} #{d.sequence} {d.action}
        </a>
        : {d.state}
      </h3>
      {d.errorCode ? <Notice text={`${d.errorCode}: ${d.errorMessage ?? ''}`} bad /> : null}
      <h4>Salesforce event</h4>
      <EventFacts a={p.a} />
      <Steps steps={p.a.steps} n={p.n} />
      <Calls steps={p.a.steps} />
      <WrittenBack a={p.a} links={p.links} />
      <Audit a={p.a} />
    </section>
  )
}

const AccountTrace: FC<{ part: TraceAccount; first: number }> = ({ part, first }) => {
  const { trace, links } = part
  return (
    <section aria-labelledby={`account-${trace.accountId}`}>
      <h2 id={`account-${trace.accountId}`}>Account {trace.accountId}</h2>
      <ul class="links">
        <li>
          Salesforce: <Out href={links.salesforceAccount} text={trace.accountId} />
        </li>
        <li>
          Stripe customer:{' '}
          <Out href={links.stripeCustomer} text={trace.xref.billingCustomerId ?? '—'} />
        </li>
        <li>
          NetSuite customer:{' '}
          <Out href={links.netsuiteCustomer} text={trace.xref.erpCustomerId ?? '—'} />
        </li>
      </ul>
      {trace.amendments.map((a, i) => (
        <AmendmentTrace a={a} links={links} n={first + i} />
      ))}
    </section>
  )
}

/** One correlation id end to end: the event, each step, every vendor call, what went back. */
export const TracePage: FC<{ result: TraceResult; viewer: Viewer }> = ({ result, viewer }) => (
  <Layout title={`Trace ${result.correlationId}`} section="trace" viewer={viewer}>
    <TraceSearch />
    {result.accounts.map((part, i) => (
      <AccountTrace part={part} first={i * 100} />
    ))}
  </Layout>
)

/** The search page: the box, and what the last search found. */
export const TraceSearchPage: FC<{ q?: string; matches?: TraceMatch[]; viewer: Viewer }> = (
  props,
) => (
  <Layout title="Trace" section="trace" viewer={props.viewer}>
    <TraceSearch q={props.q} />
    {props.q === undefined ? null : props.matches && props.matches.length > 0 ? (
      <DataTable
        caption={<>Amendments known by {props.q}</>}
        headers={['Correlation id', 'Amendment', 'Account', 'Received']}
      >
        {props.matches.map((m) => (
          <tr>
            <td>
              <a href={`/console/trace/${encodeURIComponent(m.correlationId)}`}>
                {m.correlationId}
              </a>
            </td>
            <td>{m.amendmentId}</td>
            <td>{m.accountId}</td>
            <td>{at(m.at)}</td>
          </tr>
        ))}
      </DataTable>
    ) : (
      <Notice text={`Nothing is known by ${props.q}.`} bad />
    )}
  </Layout>
)
