import type { Clock } from './clock.ts'

/** Body fields under their canonical REST names; references are kept as `{ id: string }`. */
export type Fields = Record<string, unknown>

/** One sublist line; `line` (or the sublist's key field) identifies it across updates. */
export type Line = Record<string, unknown>

/** One stored record instance. */
export interface NsRecord {
  /** Canonical REST record type id, e.g. `salesOrder`, `customerpayment`. */
  type: string
  id: number
  externalId?: string
  fields: Fields
  lines: Record<string, Line[]>
  createdAt: number
  lastModifiedAt: number
}

/**
 * Transaction record types share one internal-id sequence: SuiteQL's `transaction` table holds
 * them all under one `id`, so two transactions never share an id.
 */
export const TRANSACTION_TYPES = new Set([
  'salesOrder',
  'invoice',
  'customerpayment',
  'creditmemo',
  'customerRefund',
])

const FIRST_ID: Record<string, number> = { transaction: 1000, customer: 100 }

/** In-memory records by type, with an external-id index per type. */
export class RecordStore {
  private byType = new Map<string, Map<number, NsRecord>>()
  private byEid = new Map<string, number>()
  private seq = new Map<string, number>()
  private tranSeq = new Map<string, number>()
  private clock: Clock

  constructor(clock: Clock) {
    this.clock = clock
  }

  private sequenceOf(type: string): string {
    return TRANSACTION_TYPES.has(type) ? 'transaction' : type
  }

  /** Reserves the next internal id for `type` (or accepts a seeded one and moves past it). */
  allocateId(type: string, wanted?: number): number {
    const sequence = this.sequenceOf(type)
    const next = this.seq.get(sequence) ?? FIRST_ID[sequence] ?? 1
    const id = wanted ?? next
    this.seq.set(sequence, Math.max(next, id + 1))
    return id
  }

  /** Next document number for a transaction type, e.g. `INV1001`. */
  nextTranId(prefix: string): string {
    const n = (this.tranSeq.get(prefix) ?? 1000) + 1
    this.tranSeq.set(prefix, n)
    return `${prefix}${n}`
  }

  get(type: string, id: number): NsRecord | undefined {
    return this.byType.get(type)?.get(id)
  }

  byExternalId(type: string, externalId: string): NsRecord | undefined {
    const id = this.byEid.get(`${type}\u0000${externalId}`)
    return id === undefined ? undefined : this.get(type, id)
  }

  all(type: string): NsRecord[] {
    return [...(this.byType.get(type)?.values() ?? [])]
  }

  /** Finds a transaction of any transaction type by its internal id. */
  transaction(id: number): NsRecord | undefined {
    for (const type of TRANSACTION_TYPES) {
      const hit = this.get(type, id)
      if (hit) return hit
    }
    return undefined
  }

  /** Stores a new record stamped with the clock. */
  insert(input: Omit<NsRecord, 'createdAt' | 'lastModifiedAt' | 'id'> & { id?: number }): NsRecord {
    const now = this.clock.now()
    const id = this.allocateId(input.type, input.id)
    const record: NsRecord = { ...input, id, createdAt: now, lastModifiedAt: now }
    let table = this.byType.get(record.type)
    if (!table) this.byType.set(record.type, (table = new Map<number, NsRecord>()))
    if (table.has(id)) throw new Error(`${record.type} ${id} already exists`)
    table.set(id, record)
    if (record.externalId !== undefined)
      this.byEid.set(`${record.type}\u0000${record.externalId}`, id)
    return record
  }

  /** Replaces a record's content (and external id) and bumps `lastModifiedAt`. */
  update(
    record: NsRecord,
    next: { externalId?: string; fields: Fields; lines: Record<string, Line[]> },
  ): void {
    if (next.externalId !== record.externalId) {
      if (record.externalId !== undefined)
        this.byEid.delete(`${record.type}\u0000${record.externalId}`)
      if (next.externalId !== undefined)
        this.byEid.set(`${record.type}\u0000${next.externalId}`, record.id)
      record.externalId = next.externalId
    }
    record.fields = next.fields
    record.lines = next.lines
    this.touch(record)
  }

  /** Removes a record (and its external id) for good, as a delete in NetSuite does. */
  remove(record: NsRecord): void {
    this.byType.get(record.type)?.delete(record.id)
    if (record.externalId !== undefined)
      this.byEid.delete(`${record.type}\u0000${record.externalId}`)
  }

  /** Bumps `lastModifiedAt`, as NetSuite does on any save of the record. */
  touch(record: NsRecord): void {
    record.lastModifiedAt = Math.max(this.clock.now(), record.lastModifiedAt + 1)
  }

  reset(): void {
    this.byType.clear()
    this.byEid.clear()
    this.seq.clear()
    this.tranSeq.clear()
  }

  /** Record counts by type, for `/__control/state`. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.byType].map(([type, table]) => [type, table.size]))
  }
}
