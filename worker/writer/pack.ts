import { MAX_COLLECTIONS_PER_CALL, MAX_RECORDS_PER_COLLECTION, type UpsertGroup } from './types.ts'

export type PendingRow = {
  object: string
  external_id_field: string
  external_id: string
  fields: string
  source_updated_at: number
  account_id: string | null
  attempts: number
}

export interface Packed {
  groups: UpsertGroup[]
  /** The pending rows behind each group's records, in the same order. */
  rows: PendingRow[][]
}

/** Parents before children, so a lookup by external id finds a parent written in the same call. */
const OBJECT_ORDER = ['Billing_Subscription__c', 'Billing_Invoice__c', 'Billing_Payment__c', 'Subscription_Sync__c', 'Account']
const orderOf = (object: string) => {
  const i = OBJECT_ORDER.indexOf(object)
  return i === -1 ? OBJECT_ORDER.length : i
}

/**
 * Packs due rows (oldest first) into at most five collections of at most 200 records, one
 * object and external-id field per collection: the most one Composite call can carry.
 */
export function pack(due: PendingRow[]): Packed {
  const groups: UpsertGroup[] = []
  const rows: PendingRow[][] = []
  const open = new Map<string, number>()
  for (const row of due) {
    const key = `${row.object}/${row.external_id_field}`
    let index = open.get(key)
    if (index === undefined || (rows[index]?.length ?? 0) >= MAX_RECORDS_PER_COLLECTION) {
      if (groups.length >= MAX_COLLECTIONS_PER_CALL) continue
      index = groups.length
      groups.push({ object: row.object, externalIdField: row.external_id_field, records: [] })
      rows.push([])
      open.set(key, index)
    }
    const fields = JSON.parse(row.fields) as UpsertGroup['records'][number]
    groups[index]?.records.push({ ...fields, [row.external_id_field]: row.external_id })
    rows[index]?.push(row)
  }
  const order = groups.map((_, i) => i).sort((a, b) => orderOf(groups[a]?.object ?? '') - orderOf(groups[b]?.object ?? ''))
  return { groups: order.map((i) => groups[i] as UpsertGroup), rows: order.map((i) => rows[i] as PendingRow[]) }
}
