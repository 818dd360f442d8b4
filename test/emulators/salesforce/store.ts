import type { Catalog, ObjectDescribe } from './catalog.ts'
import { restDateTime, type Clock } from './clock.ts'
import type { IdFactory } from './ids.ts'
import { toId18 } from './ids.ts'

/** One stored record: canonical field name → value, audit fields included. */
export interface SfRecord {
  Id: string
  type: string
  values: Record<string, unknown>
  /** How many committed DML writes touched it (a no-change upsert counts here, not in effects). */
  writes: number
}

/** An effect to record in the ledger once the transaction commits. */
export interface PendingEffect {
  kind: string
  target: string
  correlationId?: string
  detail?: Record<string, unknown>
}

/** A platform event to hand to the event bus once the transaction commits. */
export interface PendingEvent {
  uuid: string
  type: string
  values: Record<string, unknown>
  createdById: string
}

/**
 * One database transaction. Writes apply at once and leave an undo step, so an all-or-none
 * failure (collections `allOrNone`, Composite `allOrNone`) restores the previous state exactly;
 * effects and platform events wait here until commit, as "publish after commit" events do.
 */
export class Tx {
  readonly undo: Array<() => void> = []
  readonly effects: PendingEffect[] = []
  readonly events: PendingEvent[] = []
}

const key = (objName: string, fieldName: string) =>
  `${objName.toLowerCase()}.${fieldName.toLowerCase()}`

/** The org's records, with a unique index per external-id field. */
export class RecordStore {
  private tables = new Map<string, Map<string, SfRecord>>()
  /** Auto Number counters; like Salesforce's they are not given back on rollback. */
  private autoNumbers = new Map<string, number>()
  /** The deployed external ids are all unique and case-sensitive (`sfdx/`), so matching is exact. */
  private extIndex = new Map<string, Map<string, string>>()
  private catalog: Catalog
  private ids: IdFactory
  private clock: Clock

  constructor(catalog: Catalog, ids: IdFactory, clock: Clock) {
    this.catalog = catalog
    this.ids = ids
    this.clock = clock
  }

  table(objName: string): Map<string, SfRecord> {
    const name = this.catalog.get(objName)?.name ?? objName
    let table = this.tables.get(name)
    if (!table) this.tables.set(name, (table = new Map<string, SfRecord>()))
    return table
  }

  /** A record by 15- or 18-character id. */
  get(id: string): SfRecord | undefined {
    const id18 = toId18(id)
    const obj = id18 ? this.catalog.byKeyPrefix(id18) : undefined
    return obj && id18 ? this.tables.get(obj.name)?.get(id18) : undefined
  }

  /** A record of `obj` whose `fieldName` (an external-id field, or `Id`) equals `value`. */
  findBy(obj: ObjectDescribe, fieldName: string, value: string): SfRecord | undefined {
    if (fieldName.toLowerCase() === 'id') {
      const rec = this.get(value)
      return rec?.type === obj.name ? rec : undefined
    }
    const id = this.extIndex.get(key(obj.name, fieldName))?.get(value)
    return id ? this.tables.get(obj.name)?.get(id) : undefined
  }

  private index(obj: ObjectDescribe, rec: SfRecord, add: boolean): void {
    for (const field of obj.fields.values()) {
      if (!field.externalId) continue
      const value = rec.values[field.name]
      if (typeof value !== 'string' || value === '') continue
      let idx = this.extIndex.get(key(obj.name, field.name))
      if (!idx) this.extIndex.set(key(obj.name, field.name), (idx = new Map<string, string>()))
      if (add) idx.set(value, rec.Id)
      else if (idx.get(value) === rec.Id) idx.delete(value)
    }
  }

  /** Creates a record with its audit fields; `Id` may be forced (seed data). */
  insert(
    tx: Tx,
    obj: ObjectDescribe,
    values: Record<string, unknown>,
    userId: string,
    forcedId?: string,
  ): SfRecord {
    const now = restDateTime(this.clock.now())
    const Id = forcedId ?? this.ids.next(obj.keyPrefix)
    const defaults: Record<string, unknown> = {
      Id,
      IsDeleted: false,
      CreatedDate: now,
      CreatedById: userId,
    }
    for (const field of obj.fields.values())
      if (!(field.name in defaults))
        defaults[field.name] = field.def.type === 'Checkbox' ? false : null
    if (obj.fields.has('ownerid')) defaults.OwnerId = userId
    if (obj.autoNumber) {
      const n = (this.autoNumbers.get(obj.name) ?? 0) + 1
      this.autoNumbers.set(obj.name, n)
      defaults.Name = obj.autoNumber.replace(/\{(0+)\}/, (_, zeros: string) =>
        String(n).padStart(zeros.length, '0'),
      )
    }
    const rec: SfRecord = { Id, type: obj.name, values: { ...defaults, ...values }, writes: 1 }
    Object.assign(rec.values, {
      Id,
      Name: defaults.Name ?? rec.values.Name,
      LastModifiedDate: now,
      LastModifiedById: userId,
      SystemModstamp: now,
    })
    this.table(obj.name).set(Id, rec)
    this.index(obj, rec, true)
    tx.undo.push(() => {
      this.index(obj, rec, false)
      this.table(obj.name).delete(Id)
    })
    return rec
  }

  /** Applies `values`; returns the fields whose value changed. The audit stamp moves regardless. */
  update(
    tx: Tx,
    obj: ObjectDescribe,
    rec: SfRecord,
    values: Record<string, unknown>,
    userId: string,
  ): string[] {
    const before = { ...rec.values }
    const changed = Object.keys(values).filter((f) => before[f] !== values[f])
    const now = restDateTime(this.clock.now())
    this.index(obj, rec, false)
    Object.assign(rec.values, values, {
      LastModifiedDate: now,
      LastModifiedById: userId,
      SystemModstamp: now,
    })
    rec.writes += 1
    this.index(obj, rec, true)
    tx.undo.push(() => {
      this.index(obj, rec, false)
      rec.values = before
      rec.writes -= 1
      this.index(obj, rec, true)
    })
    return changed
  }

  rollback(tx: Tx): void {
    for (const step of [...tx.undo].reverse()) step()
    tx.undo.length = 0
    tx.effects.length = 0
    tx.events.length = 0
  }

  /** Record counts by object, for the state dump. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [name, table] of this.tables) if (table.size > 0) out[name] = table.size
    return out
  }

  reset(): void {
    this.tables.clear()
    this.extIndex.clear()
    this.autoNumbers.clear()
  }
}
