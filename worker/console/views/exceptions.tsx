import type { FC } from 'hono/jsx'
import type { ExceptionEntry } from '../../ledger/journal.ts'
import type { QuarantineEntry } from '../../ops/ops-registry.ts'
import { hasRole } from '../roles.ts'
import { at } from './format.ts'
import { CsrfField, Layout, Notice, type Viewer } from './layout.tsx'

export interface ExceptionsView {
  parked: ExceptionEntry[]
  quarantine: QuarantineEntry[]
  viewer: Viewer
  notice?: { text: string; bad?: boolean }
}

const amendmentHref = (e: ExceptionEntry) =>
  `/console/accounts/${e.accountId}/amendments/${encodeURIComponent(e.amendmentId)}`

/**
 * Retry and skip for one parked amendment: plain POST forms (they work without JavaScript and
 * redirect back); with htmx they post in place and the table is swapped for the fresh one.
 */
const Actions: FC<{ entry: ExceptionEntry; csrf: string; n: number }> = ({ entry, csrf, n }) => {
  const base = `/console/exceptions/${encodeURIComponent(entry.amendmentId)}`
  const swap = { 'hx-target': '#exceptions', 'hx-swap': 'outerHTML' }
  return (
    <>
      <form
        class="inline"
        method="post"
        action={`${base}/retry`}
        hx-post={`${base}/retry`}
        {...swap}
      >
        <CsrfField token={csrf} />
        <div>
          <label for={`retry-reason-${n}`}>Retry note (optional)</label>
          <input type="text" id={`retry-reason-${n}`} name="reason" maxlength={500} />
        </div>
        <button type="submit">Retry</button>
      </form>
      <form class="inline" method="post" action={`${base}/skip`} hx-post={`${base}/skip`} {...swap}>
        <CsrfField token={csrf} />
        <div>
          <label for={`skip-reason-${n}`}>Why skip (required)</label>
          <input
            type="text"
            id={`skip-reason-${n}`}
            name="reason"
            required
            minlength={3}
            maxlength={500}
          />
        </div>
        <button type="submit">Skip</button>
      </form>
    </>
  )
}

/** The parked amendments, newest first: the part htmx swaps after an action. */
export const ExceptionsTable: FC<{ view: ExceptionsView }> = ({ view }) => {
  const canAct = hasRole(view.viewer.role, 'operator')
  return (
    <section id="exceptions" aria-labelledby="parked-title">
      <h2 id="parked-title">Parked amendments ({view.parked.length})</h2>
      <Notice text={view.notice?.text} bad={view.notice?.bad} />
      {view.parked.length === 0 ? (
        <p>Nothing is parked.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Amendment</th>
              <th scope="col">Account</th>
              <th scope="col">Why</th>
              <th scope="col">Since</th>
              <th scope="col">{canAct ? 'Act' : 'Actions (operators)'}</th>
            </tr>
          </thead>
          <tbody>
            {view.parked.map((e, n) => (
              <tr>
                <td>
                  <a href={amendmentHref(e)}>
                    {e.subscriptionKey} #{e.sequence} {e.action}
                  </a>
                </td>
                <td>
                  <a href={`/console/accounts/${e.accountId}`}>{e.accountId}</a>
                </td>
                <td>
                  <code>{e.code ?? '—'}</code> {e.message ?? ''}
                </td>
                <td>{at(e.updatedAt)}</td>
                <td>
                  {canAct ? <Actions entry={e} csrf={view.viewer.csrf} n={n} /> : 'read-only'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

const QuarantineTable: FC<{ items: QuarantineEntry[] }> = ({ items }) => (
  <section id="quarantine" aria-labelledby="quarantine-title">
    <h2 id="quarantine-title">Quarantine (latest {items.length})</h2>
    {items.length === 0 ? (
      <p>No rejected input.</p>
    ) : (
      <table>
        <thead>
          <tr>
            <th scope="col">Received</th>
            <th scope="col">Source</th>
            <th scope="col">Account</th>
            <th scope="col">Reasons</th>
            <th scope="col">Raw input</th>
          </tr>
        </thead>
        <tbody>
          {items.map((q) => (
            <tr>
              <td>{at(q.receivedAt)}</td>
              <td>{q.source}</td>
              <td>{q.accountId ?? '—'}</td>
              <td>
                <ul>
                  {q.reasons.map((r) => (
                    <li>
                      <code>{r.field}</code>: {r.message}
                    </li>
                  ))}
                </ul>
              </td>
              <td>
                <details>
                  <summary>Show</summary>
                  <pre>{q.raw}</pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
)

export const ExceptionsPage: FC<{ view: ExceptionsView }> = ({ view }) => (
  <Layout title="Exceptions" section="exceptions" viewer={view.viewer}>
    <ExceptionsTable view={view} />
    <QuarantineTable items={view.quarantine} />
  </Layout>
)
