import type { FC } from 'hono/jsx'
import { RECOVERABILITIES, type Recoverability } from '../../failure/recoverability.ts'
import type { QuarantineEntry } from '../../ops/ops-registry.ts'
import { WORK_SYSTEMS, type WorkItem, type WorkQueuePage } from '../../ops/work-queue.ts'
import { hasRole } from '../roles.ts'
import { DataTable } from './data-table.tsx'
import { ageOf, at } from './format.ts'
import { CsrfField, Layout, Notice, type Viewer } from './layout.tsx'
import { ReasonForm } from './reason-form.tsx'

/** The queue's filters as the form holds them (the query's own words). */
export type QueueFilterValues = Partial<
  Record<'system' | 'category' | 'accountId' | 'code' | 'olderThan' | 'q', string>
>

export interface ExceptionsView {
  page: WorkQueuePage
  filter: QueueFilterValues
  quarantine: QuarantineEntry[]
  viewer: Viewer
  now: number
  notice?: { text: string; bad?: boolean }
}

const CATEGORY: Record<Recoverability, string> = {
  retrying: 'Retrying on its own',
  needs_data_fix: 'Needs a data fix',
  needs_approval: 'Needs finance approval',
}

const KIND: Record<WorkItem['kind'], string> = {
  amendment: 'Amendment',
  writer_record: 'Salesforce write',
  alert_delivery: 'Alert delivery',
  quarantine: 'Quarantined input',
  unmatched_webhook: 'Unmatched Stripe event',
  subscriber_gap: 'Event subscriber gap',
  drift: 'Drift finding',
  billing_read: 'Billing read refused',
  money_action: 'Credit or refund',
  activation: 'Activation webhook',
  account_review: 'Account change review',
}

/** The page's address with the filters, changed by `change` (an empty value drops a filter). */
function hrefWith(filter: QueueFilterValues, change: Record<string, string | undefined> = {}) {
  const query = new URLSearchParams()
  for (const [k, v] of Object.entries({ ...filter, ...change })) if (v) query.set(k, v)
  const text = query.toString()
  return text ? `/console/exceptions?${text}` : '/console/exceptions'
}

/** Minor units as money: `500000, USD` → `$5,000.00` (zero-decimal currencies stay whole). */
function money(impact: NonNullable<WorkItem['impact']>): string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency: impact.currency })
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2
  return format.format(impact.amount / 10 ** digits)
}

const Field: FC<{ name: keyof QueueFilterValues; label: string; value?: string; hint?: string }> = (
  p,
) => (
  <div>
    <label for={`f-${p.name}`}>{p.label}</label>
    <input
      type="text"
      id={`f-${p.name}`}
      name={p.name}
      value={p.value ?? ''}
      placeholder={p.hint}
    />
  </div>
)

const Choice: FC<{
  name: 'system' | 'category'
  label: string
  options: readonly string[]
  value?: string
}> = (p) => (
  <div>
    <label for={`f-${p.name}`}>{p.label}</label>
    <select id={`f-${p.name}`} name={p.name}>
      <option value="">any</option>
      {p.options.map((o) => (
        <option value={o} selected={o === p.value}>
          {o}
        </option>
      ))}
    </select>
  </div>
)

/** A GET form: it works without JavaScript; htmx swaps only the list and keeps the address. */
const QueueFilters: FC<{ filter: QueueFilterValues }> = ({ filter: f }) => (
  <form
    class="filters"
    method="get"
    action="/console/exceptions"
    role="search"
    aria-label="Filter the exceptions"
    hx-get="/console/exceptions"
    hx-target="#exceptions"
    hx-swap="outerHTML"
    hx-push-url="true"
  >
    <Field
      name="q"
      label="Search any id"
      value={f.q}
      hint="correlation, Salesforce, Stripe or NetSuite id"
    />
    <Choice name="category" label="Category" options={RECOVERABILITIES} value={f.category} />
    <Choice name="system" label="System" options={WORK_SYSTEMS} value={f.system} />
    <Field name="accountId" label="Salesforce Account id" value={f.accountId} />
    <Field name="code" label="Code" value={f.code} />
    <Field name="olderThan" label="Older than" value={f.olderThan} hint="30m, 4h, 2d" />
    <button type="submit">Filter</button>
  </form>
)

const Counts: FC<{ view: ExceptionsView }> = ({ view }) => (
  <ul class="counts" aria-label="Items per category">
    {RECOVERABILITIES.map((c) => (
      <li>
        <a
          href={hrefWith(view.filter, { category: c })}
          aria-current={view.filter.category === c ? 'true' : undefined}
        >
          {CATEGORY[c]}: <strong>{view.page.counts[c]}</strong>
        </a>
      </li>
    ))}
  </ul>
)

const AMENDMENT_FORMS = [
  { kind: 'retry', label: 'Retry note (optional)', button: 'Retry', required: false },
  { kind: 'skip', label: 'Why skip (required)', button: 'Skip', required: true },
] as const

/**
 * Retry and skip of a parked amendment. When it moves money they are asks: the server's
 * approval rule turns them into requests an approver decides, and the form leads there.
 */
const AmendmentActions: FC<{ item: WorkItem; viewer: Viewer; n: number }> = (p) => {
  // A parked credit or refund was approved already: its retry resumes that plan (no new ask).
  const asks = p.item.kind === 'amendment' && p.item.category === 'needs_approval'
  const base = `/console/exceptions/${encodeURIComponent(p.item.ref)}`
  return (
    <>
      {asks ? <p>Moves money: an approver signs off first.</p> : null}
      {AMENDMENT_FORMS.map((f) => (
        <ReasonForm
          action={`${base}/${f.kind}`}
          csrf={p.viewer.csrf}
          id={`${f.kind}-reason-${p.n}`}
          label={f.label}
          button={asks ? `Ask to ${f.kind}` : f.button}
          required={f.required}
          swap="#exceptions"
        />
      ))}
    </>
  )
}

/** The one action that fits an item, by its category and source. */
const ItemAction: FC<{ item: WorkItem; viewer: Viewer; n: number }> = ({ item, viewer, n }) => {
  if (item.category === 'retrying') return <>Retries on its own at {at(item.nextAttemptAt)}</>
  if (!hasRole(viewer.role, 'operator')) return <>read-only (operators act)</>
  const ref = item.ref.split('/').map(encodeURIComponent).join('/')
  if (item.kind === 'amendment' || item.kind === 'money_action')
    return <AmendmentActions item={item} viewer={viewer} n={n} />
  if (
    item.kind === 'writer_record' ||
    item.kind === 'subscriber_gap' ||
    (item.kind === 'activation' && item.accountId)
  ) {
    const [path, label] =
      item.kind === 'writer_record'
        ? [`/console/exceptions/writes/${ref}/retry`, 'Write again']
        : item.kind === 'activation'
          ? [
              `/console/exceptions/activations/${encodeURIComponent(item.accountId ?? '')}/${ref}/redeliver`,
              'Send again',
            ]
          : [`/console/exceptions/gaps/${ref}/acknowledge`, 'Acknowledge (reconciled)']
    return (
      <form class="inline" method="post" action={path}>
        <CsrfField token={viewer.csrf} />
        <button type="submit">{label}</button>
      </form>
    )
  }
  return <>{ADVICE[item.kind]}</>
}

const ADVICE: Partial<Record<WorkItem['kind'], string>> = {
  quarantine: 'Fix the input at its source and send it again (raw input below).',
  unmatched_webhook:
    'Link the Stripe customer to its Salesforce Account (metadata sf_account_id), then backfill that account.',
  alert_delivery: 'Fix the alert webhook (ALERT_WEBHOOK_URL); later alerts are delivered.',
  billing_read:
    'Stripe refused to give Concord this document (deleted, or another customer’s). Check it in Stripe; a later event for it, or a backfill of the account, reads it again and clears this.',
  drift:
    'Decide in Stripe or Salesforce: give the subscription a Salesforce subscription key, or cancel it. The drift reconciler clears this once a compare no longer finds it.',
  activation:
    'Fix the provisioning receiver (PROVISIONING_WEBHOOK_URL), then send it again: the same activation id goes out.',
}

const amendmentHref = (accountId: string, id: string) =>
  `/console/accounts/${accountId}/amendments/${encodeURIComponent(id)}`

const traceHref = (i: WorkItem) =>
  i.correlationId
    ? `/console/trace/${encodeURIComponent(i.correlationId)}`
    : i.amendmentId
      ? `/console/trace?q=${encodeURIComponent(i.amendmentId)}`
      : undefined

const Ids: FC<{ item: WorkItem }> = ({ item }) => {
  const groups = (['salesforce', 'stripe', 'netsuite'] as const).filter(
    (s) => item.ids[s].length > 0,
  )
  if (groups.length === 0 && !item.correlationId) return <>—</>
  return (
    <ul class="ids">
      {item.correlationId ? (
        <li>
          correlation <code>{item.correlationId}</code>
        </li>
      ) : null}
      {groups.map((s) => (
        <li>
          {s} <code>{item.ids[s].join(', ')}</code>
        </li>
      ))}
    </ul>
  )
}

const Row: FC<{ item: WorkItem; view: ExceptionsView; n: number }> = ({ item, view, n }) => {
  const href = traceHref(item)
  return (
    <tr>
      <td>
        {href ? <a href={href}>{KIND[item.kind]} trace</a> : KIND[item.kind]}
        {item.kind === 'amendment' && item.accountId ? (
          <>
            {' · '}
            <a href={amendmentHref(item.accountId, item.ref)}>amendment {item.ref.slice(0, 8)}</a>
          </>
        ) : null}
      </td>
      <td>{CATEGORY[item.category]}</td>
      <td>{item.system}</td>
      <td>
        <code>{item.code}</code> {item.message}
      </td>
      <td>{item.impact ? `${money(item.impact)} (${item.impact.basis})` : '—'}</td>
      <td>
        {item.accountId ? (
          <a href={`/console/accounts/${item.accountId}`}>{item.accountId}</a>
        ) : (
          '—'
        )}
      </td>
      <td>
        {ageOf(item.since, view.now)} <small>({at(item.since)})</small>
      </td>
      <td>
        <Ids item={item} />
      </td>
      <td>
        <ItemAction item={item} viewer={view.viewer} n={n} />
      </td>
    </tr>
  )
}

/** The counts, the list and its next-page link: the part htmx swaps. */
export const QueueTable: FC<{ view: ExceptionsView }> = ({ view }) => {
  const { items, next } = view.page
  return (
    <section id="exceptions" aria-labelledby="queue-title">
      <h2 id="queue-title">Work queue</h2>
      <Notice text={view.notice?.text} bad={view.notice?.bad} />
      <Counts view={view} />
      {items.length === 0 ? (
        <p>Nothing here matches.</p>
      ) : (
        <DataTable
          caption="Oldest first"
          headers={['Item', 'Category', 'System', 'Code', 'Impact', 'Account', 'Age', 'Ids', 'Act']}
        >
          {items.map((item, n) => (
            <Row item={item} view={view} n={n} />
          ))}
        </DataTable>
      )}
      {next ? <a href={hrefWith(view.filter, { cursor: next })}>Next page</a> : null}
    </section>
  )
}

const QuarantineRaw: FC<{ items: QuarantineEntry[] }> = ({ items }) => (
  <section id="quarantine" aria-labelledby="quarantine-title">
    <h2 id="quarantine-title">Quarantined input, raw (latest {items.length})</h2>
    {items.length === 0 ? (
      <p>No rejected input.</p>
    ) : (
      <DataTable headers={['Received', 'Source', 'Account', 'Reasons', 'Raw input']}>
        {items.map((q) => (
          <tr id={`raw-${q.id}`}>
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
      </DataTable>
    )}
  </section>
)

export const ExceptionsPage: FC<{ view: ExceptionsView }> = ({ view }) => (
  <Layout title="Exceptions" section="exceptions" viewer={view.viewer}>
    <QueueFilters filter={view.filter} />
    <QueueTable view={view} />
    <QuarantineRaw items={view.quarantine} />
  </Layout>
)
