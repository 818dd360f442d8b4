import { recordError, type RecordError } from './errors.ts'

/**
 * Makes chosen records fail inside an otherwise healthy request, so a test can prove a writer
 * retries only the records that failed transiently and parks the ones that failed for good.
 */
export interface RecordFaultRule {
  /** Object API name, e.g. `Billing_Invoice__c`. */
  object: string
  /** Value of the record's external id (any external-id field) or its Id; absent = every record. */
  externalId?: string
  /** Only match this external-id field. */
  field?: string
  /** `UNABLE_TO_LOCK_ROW` (transient), `FIELD_CUSTOM_VALIDATION_EXCEPTION`, `INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST`… */
  statusCode: string
  message?: string
  fields?: string[]
  /** Fail the next N matching writes, then let them through; absent = fail every time. */
  times?: number
}

interface ActiveRule extends RecordFaultRule {
  remaining?: number
  hits: number
}

function defaultMessage(rule: RecordFaultRule, key: string): string {
  switch (rule.statusCode) {
    case 'UNABLE_TO_LOCK_ROW':
      return `unable to obtain exclusive access to this record or 1 records: ${key}`
    case 'FIELD_CUSTOM_VALIDATION_EXCEPTION':
      return 'Record rejected by a validation rule'
    case 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST':
      return `${rule.fields?.[0] ?? 'Status'}: bad value for restricted picklist field: ${key}`
    default:
      return rule.statusCode
  }
}

/** The active per-record fault rules and how often each fired. */
export class RecordFaults {
  private rules: ActiveRule[] = []

  set(rules: RecordFaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r, remaining: r.times, hits: 0 }))
  }

  add(rules: RecordFaultRule[]): void {
    this.rules.push(...rules.map((r) => ({ ...r, remaining: r.times, hits: 0 })))
  }

  /**
   * The error for a write to `object` whose identifying values are `keys` (field → value), or
   * undefined. A matching counted rule is consumed.
   */
  check(object: string, keys: Record<string, string>): RecordError | undefined {
    for (const rule of this.rules) {
      if (rule.object.toLowerCase() !== object.toLowerCase()) continue
      if (rule.remaining !== undefined && rule.remaining <= 0) continue
      const candidates = Object.entries(keys).filter(
        ([f]) => !rule.field || f.toLowerCase() === rule.field.toLowerCase(),
      )
      const hit =
        rule.externalId === undefined
          ? candidates[0]
          : candidates.find(([, v]) => v.toLowerCase() === rule.externalId?.toLowerCase())
      if (!hit && rule.externalId !== undefined) continue
      if (rule.remaining !== undefined) rule.remaining -= 1
      rule.hits += 1
      const shown = hit?.[1] ?? object
      return recordError(
        rule.statusCode,
        rule.message ?? defaultMessage(rule, shown),
        rule.fields ?? [],
      )
    }
    return undefined
  }

  list(): ActiveRule[] {
    return this.rules.map((r) => ({ ...r }))
  }

  clear(): void {
    this.rules = []
  }
}
