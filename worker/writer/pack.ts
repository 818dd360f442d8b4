import { MAX_COLLECTIONS_PER_CALL, MAX_RECORDS_PER_COLLECTION, type UpsertGroup } from './types.ts'

export type PendingRow = {
  object: string
  external_id_field: string
  external_id: string
  fields: string
  source_updated_at: number
  account_id: string | null
  attempts: number
  enqueued_at: number
}

export interface Packed {
  groups: UpsertGroup[]
  /** The pending rows behind each group's records, in the same order. */
  rows: PendingRow[][]
}

/** Parents before children, so a lookup by external id finds a parent written in the same call. */
const OBJECT_ORDER = [
  'Billing_Subscription__c',
  'Billing_Invoice__c',
  'Billing_Payment__c',
  'Subscription_Sync__c',
  'Account',
]
const orderOf = (object: string) => {
  const i = OBJECT_ORDER.indexOf(object)
  return i === -1 ? OBJECT_ORDER.length : i
}

/**
 * Packs due rows (oldest first) into at most five collections of at most 200 records, one
 * object and external-id field per collection: the most one Composite call can carry. Full
 * collections go first, so a handful of one object's records (a few Account standings) never
 * takes a slot 200 others could fill; partial ones ride along only where slots are left, and
 * wait for the next call otherwise (the flush interval bounds how long).
 */
export function pack(due: PendingRow[], urgentBefore = 0): Packed {
  const chunks: PendingRow[][] = []
  const open = new Map<string, PendingRow[]>()
  for (const row of due) {
    const key = `${row.object}/${row.external_id_field}`
    let chunk = open.get(key)
    if (!chunk || chunk.length >= MAX_RECORDS_PER_COLLECTION) {
      chunk = []
      chunks.push(chunk)
      open.set(key, chunk)
    }
    chunk.push(row)
  }
  // A chunk that has waited past `urgentBefore` goes first whatever its size: under a sustained
  // backlog of full chunks, a small one would otherwise never get a slot.
  const urgent = (c: PendingRow[]) => (c[0]?.enqueued_at ?? 0) < urgentBefore
  const rank = (c: PendingRow[]) => (urgent(c) ? 0 : c.length >= MAX_RECORDS_PER_COLLECTION ? 1 : 2)
  const chosen = chunks
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .slice(0, MAX_COLLECTIONS_PER_CALL)
    .map((x) => x.c)
  chosen.sort((a, b) => orderOf(a[0]?.object ?? '') - orderOf(b[0]?.object ?? ''))
  return {
    groups: chosen.map((chunk) => ({
      object: chunk[0]?.object ?? '',
      externalIdField: chunk[0]?.external_id_field ?? '',
      records: chunk.map((row) => ({
        ...(JSON.parse(row.fields) as UpsertGroup['records'][number]),
        [row.external_id_field]: row.external_id,
      })),
    })),
    rows: chosen,
  }
}
