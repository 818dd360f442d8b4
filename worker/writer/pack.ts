import {
  COLLECTION_SIZE,
  isUpsertGroup,
  type UntypedGroup,
  type UpsertGroup,
} from '../connectors/salesforce/collections.ts'
import { MAX_HEAVY_SUBREQUESTS } from '../connectors/salesforce/composite.ts'
import { chunk } from '../lib/chunk.ts'

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
  /** Rows naming an object or key field the schema does not declare: never sendable. */
  invalid: PendingRow[]
}

/** Parents before children, so a lookup by external id finds a parent written in the same call. */
const OBJECT_ORDER = [
  'Billing_Subscription__c',
  'Billing_Invoice__c',
  'Billing_Payment__c',
  'Billing_Credit_Note__c',
  'Subscription_Sync__c',
  'Account',
]
const orderOf = (object: string) => {
  const i = OBJECT_ORDER.indexOf(object)
  return i === -1 ? OBJECT_ORDER.length : i
}

type Chunk = { rows: PendingRow[]; first: number }

/**
 * Collections of one object and key field each (the one chunker: `COLLECTION_SIZE`, no key
 * twice), in the order their first row came due.
 */
function collections(due: readonly PendingRow[]): Chunk[] {
  const byKind = new Map<string, Array<[PendingRow, number]>>()
  due.forEach((row, n) => {
    const kind = `${row.object}/${row.external_id_field}`
    const rows = byKind.get(kind) ?? []
    rows.push([row, n])
    byKind.set(kind, rows)
  })
  return [...byKind.values()]
    .flatMap((rows) =>
      chunk(rows, COLLECTION_SIZE, ([row]) => row.external_id).map((c) => ({
        rows: c.map(([row]) => row),
        first: c[0]?.[1] ?? 0,
      })),
    )
    .sort((a, b) => a.first - b.first)
}

/** A chunk as a typed group, or undefined when the schema does not declare what it names. */
function groupOf(c: Chunk): UpsertGroup | undefined {
  const head = c.rows[0]
  if (!head) return undefined
  const group: UntypedGroup = {
    object: head.object,
    externalIdField: head.external_id_field,
    records: c.rows.map((row) => ({
      ...(JSON.parse(row.fields) as Record<string, unknown>),
      [row.external_id_field]: row.external_id,
    })),
  }
  return isUpsertGroup(group) ? group : undefined
}

/**
 * Packs due rows (oldest first) into at most five collections of at most 200 records, one
 * object and external-id field per collection: the most one Composite call can carry. Full
 * collections go first, so a handful of one object's records (a few Account standings) never
 * takes a slot 200 others could fill; partial ones ride along only where slots are left, and
 * wait for the next call otherwise (the flush interval bounds how long).
 */
export function pack(due: PendingRow[], urgentBefore = 0): Packed {
  const chunks = collections(due)
  // A chunk that has waited past `urgentBefore` goes first whatever its size: under a sustained
  // backlog of full chunks, a small one would otherwise never get a slot.
  const urgent = (c: Chunk) => (c.rows[0]?.enqueued_at ?? 0) < urgentBefore
  const rank = (c: Chunk) => (urgent(c) ? 0 : c.rows.length >= COLLECTION_SIZE ? 1 : 2)
  const chosen = chunks
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .slice(0, MAX_HEAVY_SUBREQUESTS)
    .map((x) => x.c)
  chosen.sort((a, b) => orderOf(a.rows[0]?.object ?? '') - orderOf(b.rows[0]?.object ?? ''))
  const packed: Packed = { groups: [], rows: [], invalid: [] }
  for (const c of chosen) {
    const group = groupOf(c)
    if (group) {
      packed.groups.push(group)
      packed.rows.push(c.rows)
    } else packed.invalid.push(...c.rows)
  }
  return packed
}
