import type { EventRecord, RecordOutcome, WriterClient } from '../../worker/writer/types.ts'
import type { SObjectFields } from '../../worker/connectors/salesforce/sobject.ts'
import { ConnectorError } from '../../worker/failure/errors.ts'

/**
 * A Salesforce stand-in for the OrgWriter: keeps what was written, counts calls, and fails
 * records by external id as scripted (`transient` n times, or `business` for good).
 */
export class DoubleWriterClient implements WriterClient {
  calls = 0
  records = new Map<string, Record<string, unknown>>()
  writesOf = new Map<string, number>()
  published: Array<SObjectFields<'Concord_Refresh__e'>> = []
  /** Platform events published through the writer (`Concord_Activation__e`). */
  events: EventRecord[] = []
  usage = { used: 0, max: 100_000 }
  private faults = new Map<string, { kind: 'transient' | 'business'; times: number }>()
  private callFailures = 0

  /** The next `n` calls fail as a whole, as a 503 from the Composite endpoint would. */
  failCalls(n: number): this {
    this.callFailures = n
    return this
  }

  fail(externalId: string, kind: 'transient' | 'business', times = Number.POSITIVE_INFINITY): this {
    this.faults.set(externalId, { kind, times })
    return this
  }

  async writeBatch(input: Parameters<WriterClient['writeBatch']>[0]) {
    this.calls++
    this.usage.used++
    if (this.callFailures > 0) {
      this.callFailures--
      throw new ConnectorError({
        kind: 'transient',
        system: 'salesforce',
        code: 'SERVER_UNAVAILABLE',
        message: 'simulated 503',
      })
    }
    if (input.groups.length > 5 || input.groups.some((g) => g.records.length > 200))
      throw new Error('over the Composite limits')
    const groups = input.groups.map((g) =>
      g.records.map((record): RecordOutcome => {
        const id = String((record as Record<string, unknown>)[g.externalIdField])
        const fault = this.faults.get(id)
        if (fault && fault.times > 0) {
          fault.times--
          return fault.kind === 'transient'
            ? {
                ok: false,
                kind: 'transient',
                code: 'UNABLE_TO_LOCK_ROW',
                message: 'unable to obtain exclusive access to this record',
              }
            : {
                ok: false,
                kind: 'business',
                code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
                message: 'Amount must be positive',
              }
        }
        const key = `${g.object}:${id}`
        this.records.set(key, record)
        this.writesOf.set(key, (this.writesOf.get(key) ?? 0) + 1)
        return { ok: true }
      }),
    )
    if (input.publish) this.published.push(...input.publish.records)
    this.events.push(...(input.events ?? []))
    return {
      groups,
      published: input.publish?.records.map((): RecordOutcome => ({ ok: true })),
      events: input.events?.map((): RecordOutcome => ({ ok: true })),
      usage: { ...this.usage },
    }
  }
}
