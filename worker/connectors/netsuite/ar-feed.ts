import { ConnectorError } from '../types.ts'
import type { NetsuiteClient } from './client.ts'
import { sq, suiteql, suiteqlPages, type SqlFragment, type SuiteqlRow } from './suiteql.ts'

/**
 * Which customers' AR changed since a watermark. NetSuite does not touch a customer's
 * lastmodifieddate when an invoice, payment or credit memo of theirs changes, so transactions
 * drive the delta; customer rows are read too, for what lives on the customer (credit hold).
 *
 * `TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS')` has whole seconds (the emulator README's
 * advice; a fraction mask is not known to work on NetSuite's column), so more changes can land in
 * the very second the last read ended on. The watermark therefore is the last second read plus
 * the rows already taken from it; the next read asks for `>=` that second and skips those rows.
 */

export interface Watermark {
  /** `YYYY-MM-DD HH:MM:SS`, the account's time zone, as SuiteQL printed it. */
  at: string
  /** Rows already read at exactly `at`: `t<transaction id>` or `c<customer id>`. */
  seen: string[]
}

export interface Change {
  key: string
  customerId: string
  at: string
  kind: 'invoice' | 'payment' | 'credit' | 'customer'
  id: string
}

const STAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/
const KIND: Record<string, Change['kind']> = { CustInvc: 'invoice', CustPymt: 'payment', CustCred: 'credit' }
/** Salesforce Account ids start with 001: customers keyed otherwise are not Concord's. */
export const ACCOUNT_EID_PATTERN = '001%'

export function formatWatermark(w: Watermark): string {
  return w.seen.length > 0 ? `${w.at}|${w.seen.join(',')}` : w.at
}

/** @throws ConnectorError (business) when the text is not a watermark this reader wrote. */
export function parseWatermark(text: string | undefined): Watermark | undefined {
  if (text === undefined || text === '') return undefined
  const [at = '', seen = ''] = text.split('|')
  const keys = seen ? seen.split(',') : []
  if (!STAMP.test(at) || keys.some((k) => !/^[tc]\d+$/.test(k))) {
    throw new ConnectorError({ kind: 'business', system: 'netsuite', code: 'invalid_watermark', message: 'The AR watermark is not one this reader wrote.' })
  }
  return { at, seen: keys }
}

interface FeedResult {
  rows: SuiteqlRow[]
  /** Set when the feed stopped early: rows at or after this second were left for the next read. */
  cutoff?: string
}

/**
 * Reads a feed ordered by lastmodifieddate up to about `maxRows` new rows, stopping only between
 * two seconds so that no second is half read. Rows already taken (`skip`) don't count, so a
 * cut always leaves at least one new row: every read makes progress.
 */
async function readFeed(client: NetsuiteClient, query: SqlFragment, maxRows: number, skip: (row: SuiteqlRow) => boolean): Promise<FeedResult> {
  const rows: SuiteqlRow[] = []
  for await (const page of suiteqlPages(client, query)) {
    rows.push(...page.filter((r) => !skip(r)))
    if (rows.length < maxRows) continue
    const cutoff = rows.at(-1)?.modified
    const complete = rows.filter((r) => r.modified !== cutoff)
    // All in one second: no place to cut yet, keep reading.
    if (complete.length > 0) return { rows: complete, cutoff }
  }
  return { rows }
}

/**
 * Changes after `since` not yet taken, at most about `maxRows` per feed; `cutoff` when more remain.
 * @throws ConnectorError
 */
export async function readChanges(client: NetsuiteClient, since: Watermark | undefined, maxRows: number): Promise<{ changes: Change[]; cutoff?: string }> {
  const from = (column: string) => (since ? suiteql`AND ${sq.ident(column)} >= ${sq.timestamp(since.at)}` : sq.empty)
  const seen = new Set(since?.seen ?? [])
  const taken = (prefix: string) => (r: SuiteqlRow) => since !== undefined && r.modified === since.at && seen.has(`${prefix}${r.id}`)
  const transactions = await readFeed(
    client,
    suiteql`SELECT t.id, t.entity, t.type, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified
      FROM transaction t INNER JOIN customer c ON c.id = t.entity
      WHERE t.type IN ('CustInvc', 'CustPymt', 'CustCred') AND c.externalid LIKE ${sq.str(ACCOUNT_EID_PATTERN)} ${from('t.lastmodifieddate')}
      ORDER BY t.lastmodifieddate, t.id`,
    maxRows,
    taken('t'),
  )
  const customers = await readFeed(
    client,
    suiteql`SELECT c.id, TO_CHAR(c.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified
      FROM customer c
      WHERE c.externalid LIKE ${sq.str(ACCOUNT_EID_PATTERN)} ${from('c.lastmodifieddate')}
      ORDER BY c.lastmodifieddate, c.id`,
    maxRows,
    taken('c'),
  )
  // Each feed is complete below its own cutoff, so both are complete below the earlier one.
  const cutoff = [transactions.cutoff, customers.cutoff].filter((c): c is string => c !== undefined).sort()[0]
  const changes: Change[] = []
  for (const r of transactions.rows) {
    const kind = KIND[r.type ?? '']
    if (kind && r.id && r.entity && r.modified) changes.push({ key: `t${r.id}`, customerId: r.entity, at: r.modified, kind, id: r.id })
  }
  for (const r of customers.rows) {
    if (r.id && r.modified) changes.push({ key: `c${r.id}`, customerId: r.id, at: r.modified, kind: 'customer', id: r.id })
  }
  return { changes: changes.filter((c) => cutoff === undefined || c.at < cutoff), cutoff }
}

/** The watermark after taking `changes` (unchanged when there were none). */
export function nextWatermark(since: Watermark | undefined, changes: Change[]): Watermark | undefined {
  if (changes.length === 0) return since
  const at = changes.reduce((max, c) => (c.at > max ? c.at : max), changes[0]!.at)
  const keys = changes.filter((c) => c.at === at).map((c) => c.key)
  const carried = since && since.at === at ? since.seen : []
  return { at, seen: [...new Set([...carried, ...keys])].sort() }
}
