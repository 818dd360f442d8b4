import { ConnectorError } from '../../failure/errors.ts'
import type { NetsuiteClient } from './client.ts'
import { sq, suiteql, suiteqlPage, type SqlFragment, type SuiteqlRow } from './suiteql.ts'

/**
 * Which customers' AR changed in a time window. NetSuite does not touch a customer's
 * lastmodifieddate when an invoice, payment or credit memo of theirs changes, so transactions
 * drive the delta; customer rows are read too, for what lives on the customer (credit hold).
 *
 * A read covers `[watermark, upto)` in whole seconds (`TO_CHAR(lastmodifieddate, 'YYYY-MM-DD
 * HH24:MI:SS')`, the emulator README's advice; a fraction mask is not known to work on NetSuite's
 * column). `upto` is NetSuite's own clock (`SYSDATE`) minus a lag, truncated to the second, so a
 * read never takes half a second (more changes could land in it later) and a save committed a
 * little after its timestamp is still inside a later window. The next watermark is `upto`.
 */

export interface Change {
  customerId: string
  at: string
  kind: 'invoice' | 'payment' | 'credit' | 'customer'
  id: string
}

const STAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/
const KIND: Record<string, Change['kind']> = {
  CustInvc: 'invoice',
  CustPymt: 'payment',
  CustCred: 'credit',
}
/** Salesforce Account ids start with 001: customers keyed otherwise are not Concord's. */
export const ACCOUNT_EID_PATTERN = '001%'

/** @throws ConnectorError (business) when the text is not a watermark this reader wrote. */
export function parseWatermark(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined
  if (!STAMP.test(text)) {
    throw new ConnectorError({
      kind: 'business',
      system: 'netsuite',
      code: 'invalid_watermark',
      message: 'The AR watermark is not one this reader wrote.',
    })
  }
  return text
}

/** NetSuite's clock minus `lagSeconds`, to the second, in the form TO_CHAR prints stamps. */
async function settledUntil(client: NetsuiteClient, lagSeconds: number): Promise<string> {
  const query = suiteql`SELECT TO_CHAR(SYSDATE - ${sq.int(lagSeconds)} / 86400, 'YYYY-MM-DD HH24:MI:SS') AS upto FROM currency`
  const upto = (await suiteqlPage(client, query, 1)).rows[0]?.upto
  if (upto && STAMP.test(upto)) return upto
  throw new ConnectorError({
    kind: 'transient',
    system: 'netsuite',
    code: 'unexpected_response',
    message: 'NetSuite did not tell its time for the AR window.',
  })
}

export interface FeedLimits {
  /** Rows per feed per read, about: the read stops at the next second boundary past it. */
  maxRows: number
  /** Rows per SuiteQL page (at most 1000). */
  pageSize: number
}

/** The last row a feed page ended on: the next page starts after it. */
interface FeedKey {
  at: string
  id: string
}

/**
 * Reads a feed ordered by (second, id) up to about `maxRows` rows, cutting only between two
 * seconds: `cutoff` is then the first second left unread, and every row before it was read.
 * Pages are keyed on the last row rather than offset: a row saved again while we page leaves
 * the window, and with offsets the rows after it would shift back past the next page's start.
 */
async function readFeed(
  client: NetsuiteClient,
  query: (after: FeedKey | undefined) => SqlFragment,
  limits: FeedLimits,
): Promise<{ rows: SuiteqlRow[]; cutoff?: string }> {
  const rows: SuiteqlRow[] = []
  for (let after: FeedKey | undefined; ;) {
    const page = await suiteqlPage(client, query(after), limits.pageSize)
    rows.push(...page.rows)
    const last = page.rows.at(-1)
    if (!page.hasMore || !last?.modified || !last.id) return { rows }
    after = { at: last.modified, id: last.id }
    if (rows.length < limits.maxRows) continue
    const complete = rows.filter((r) => r.modified !== last.modified)
    // All in one second: no place to cut yet, keep reading.
    if (complete.length > 0) return { rows: complete, cutoff: last.modified }
  }
}

const stampOf = (column: string) => suiteql`TO_CHAR(${sq.ident(column)}, 'YYYY-MM-DD HH24:MI:SS')`

/** `AND (stamp, id) > (after.at, after.id)`, spelled out for SuiteQL. */
function afterKey(stampColumn: string, idColumn: string, after: FeedKey | undefined): SqlFragment {
  if (!after) return sq.empty
  const stamp = stampOf(stampColumn)
  return suiteql`AND (${stamp} > ${sq.str(after.at)} OR (${stamp} = ${sq.str(after.at)} AND ${sq.ident(idColumn)} > ${sq.int(Number(after.id))}))`
}

export interface ChangeWindow {
  changes: Change[]
  /** Where the next read starts: everything before it has been read. */
  next: string
  /** The window was cut short by `maxRows`: read again from `next` at once. */
  more: boolean
}

/**
 * Changes in `[since, NetSuite now - lagSeconds)`, about `maxRows` per feed at most.
 * @throws ConnectorError
 */
export async function readChanges(
  client: NetsuiteClient,
  since: string | undefined,
  opts: FeedLimits & { lagSeconds: number },
): Promise<ChangeWindow> {
  const upto = await settledUntil(client, opts.lagSeconds)
  if (since !== undefined && since >= upto) return { changes: [], next: since, more: false }
  const window = (column: string) =>
    since === undefined
      ? suiteql`AND ${sq.ident(column)} < ${sq.timestamp(upto)}`
      : suiteql`AND ${sq.ident(column)} >= ${sq.timestamp(since)} AND ${sq.ident(column)} < ${sq.timestamp(upto)}`
  const transactions = await readFeed(
    client,
    (after) => suiteql`SELECT t.id, t.entity, t.type, ${stampOf('t.lastmodifieddate')} AS modified
      FROM transaction t INNER JOIN customer c ON c.id = t.entity
      WHERE t.type IN ('CustInvc', 'CustPymt', 'CustCred') AND c.externalid LIKE ${sq.str(ACCOUNT_EID_PATTERN)}
        ${window('t.lastmodifieddate')} ${afterKey('t.lastmodifieddate', 't.id', after)}
      ORDER BY modified, t.id`,
    opts,
  )
  const customers = await readFeed(
    client,
    (after) => suiteql`SELECT c.id, ${stampOf('c.lastmodifieddate')} AS modified
      FROM customer c
      WHERE c.externalid LIKE ${sq.str(ACCOUNT_EID_PATTERN)} ${window('c.lastmodifieddate')} ${afterKey('c.lastmodifieddate', 'c.id', after)}
      ORDER BY modified, c.id`,
    opts,
  )
  // Each feed is complete below its own cutoff, so both are complete below the earlier one.
  const next = [upto, transactions.cutoff, customers.cutoff]
    .filter((c): c is string => c !== undefined)
    .sort()[0]!
  const changes: Change[] = []
  for (const r of transactions.rows) {
    const kind = KIND[r.type ?? '']
    if (kind && r.id && r.entity && r.modified)
      changes.push({ customerId: r.entity, at: r.modified, kind, id: r.id })
  }
  for (const r of customers.rows) {
    if (r.id && r.modified)
      changes.push({ customerId: r.id, at: r.modified, kind: 'customer', id: r.id })
  }
  return { changes: changes.filter((c) => c.at < next), next, more: next < upto }
}
