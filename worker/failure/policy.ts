import { backoffDelayMs } from '../lib/backoff.ts'
import {
  categoryOf,
  ConnectorError,
  kindOf,
  type FailureCategory,
  type FailureKind,
} from './errors.ts'

/** A failure as the policy reads it: a `ConnectorError`, or an outcome shaped like one. */
export interface Failure {
  kind: FailureKind
  category?: FailureCategory
  code: string
  message: string
  retryAfterMs?: number
}

/**
 * What to do with a failed item. `retry`: due again at `at` (ms). `park`: stop and wait for a
 * human with the reason (it can be retried once the cause is fixed). `dead_letter`: set aside
 * for good with the reason; nothing resumes it.
 */
export type Decision =
  | { action: 'retry'; at: number; delayMs: number }
  | { action: 'park'; code: string; message: string }
  | { action: 'dead_letter'; code: string; message: string }

export interface PolicyOptions {
  /** This failure's number for the item (1 for its first); raises the backoff ceiling. */
  attempt: number
  /** A retryable failure at this attempt or later parks as `retries_exhausted`; omit to retry forever. */
  maxAttempts?: number
  baseMs: number
  capMs: number
  /** The shortest retry delay, whatever jitter draws. */
  floorMs?: number
  random?: () => number
  now?: number
  /** What a refusal (business, bad_request) means for this caller; `park` when not given. */
  refused?: 'park' | 'dead_letter'
}

/** The park code of an item whose retryable failures outlasted `maxAttempts`. */
export const RETRIES_EXHAUSTED = 'retries_exhausted'

/**
 * Reads anything thrown as a `Failure`. A `ConnectorError` keeps its classification; anything
 * else is a defect or an outage inside Concord, which every caller retries (bounded where the
 * caller bounds retries) as `internal_error` with `unexpected` as the operator-facing message.
 */
export function toFailure(err: unknown, unexpected = 'unexpected error'): Failure {
  if (err instanceof ConnectorError)
    return {
      kind: err.kind,
      category: err.category,
      code: err.code,
      message: err.message,
      retryAfterMs: err.retryAfterMs,
    }
  return { kind: 'transient', category: 'transient', code: 'internal_error', message: unexpected }
}

/**
 * The one failure policy. A refusal (business, bad_request) is never retried: it parks or is
 * dead-lettered with its own code and message, as `opts.refused` says. Anything else (transient,
 * rate_limited, auth) retries after full-jitter backoff (`backoffDelayMs`), never sooner than the
 * vendor's `Retry-After` nor `floorMs`, until `maxAttempts`, where it parks as
 * `retries_exhausted` naming the last error.
 */
export function decide(failure: Failure, opts: PolicyOptions): Decision {
  if (kindOf(categoryOf(failure)) === 'business')
    return { action: opts.refused ?? 'park', code: failure.code, message: failure.message }
  if (opts.maxAttempts !== undefined && opts.attempt >= opts.maxAttempts)
    return {
      action: 'park',
      code: RETRIES_EXHAUSTED,
      message: `Gave up after ${opts.attempt} attempts; last error ${failure.code}: ${failure.message}`,
    }
  const jittered = backoffDelayMs({
    attempt: opts.attempt,
    baseMs: opts.baseMs,
    capMs: opts.capMs,
    retryAfterMs: failure.retryAfterMs,
    random: opts.random,
  })
  const delayMs = Math.max(jittered, opts.floorMs ?? 0)
  return { action: 'retry', at: (opts.now ?? Date.now()) + delayMs, delayMs }
}
