import type { FieldError } from '../../shared/index.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import type { QuarantineInput } from '../ops/ops-registry.ts'

/**
 * How much of a refused input's raw JSON the quarantine keeps: a Durable Object's SQLite row
 * holds at most 2 MB, and a UTF-16 unit is at most 3 bytes of UTF-8. A longer one is cut (its
 * reasons and identity are kept whole), so a giant input is still refused, never failed.
 */
export const MAX_QUARANTINED_RAW_CHARS = 256 * 1024

/** An input the intake refused: where it stood in the batch, what it was, and why. */
export interface Rejection {
  index: number
  raw: unknown
  /** The input's own id (an event's `EventUuid`, a usage record's `id`), when it has one. */
  id?: string
  accountId?: string
  errors: FieldError[]
}

/**
 * Files the refused inputs in the quarantine with their raw JSON (cut at
 * `MAX_QUARANTINED_RAW_CHARS`) and reasons. Returns each one's quarantine id, in order, or
 * undefined when the quarantine could not be written (logged): nothing was kept, so the caller
 * answers those inputs as failed and retryable.
 */
export async function quarantineRejections(
  write: (entries: QuarantineInput[]) => Promise<string[]>,
  at: { source: string; requestId: string; log: Logger },
  rejections: Rejection[],
): Promise<string[] | undefined> {
  const inputs: QuarantineInput[] = rejections.map((r) => ({
    source: at.source,
    requestId: at.requestId,
    eventUuid: r.id,
    accountId: r.accountId,
    reasons: r.errors,
    raw: (JSON.stringify(r.raw) ?? 'undefined').slice(0, MAX_QUARANTINED_RAW_CHARS),
  }))
  try {
    const ids = await write(inputs)
    return rejections.map((_, k) => ids[k] ?? '')
  } catch (err) {
    at.log.error('quarantine write failed', errorFields(err))
    return undefined
  }
}
