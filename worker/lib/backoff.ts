/**
 * Full-jitter exponential backoff (AWS's "Exponential Backoff and Jitter"): a delay drawn
 * uniformly from [0, min(cap, base·2^attempt)], so many retrying accounts don't stampede a
 * recovering vendor together. A vendor's `Retry-After` is a floor, never shortened by jitter.
 */
export function backoffDelayMs(opts: {
  attempt: number
  baseMs: number
  capMs: number
  retryAfterMs?: number
  random?: () => number
}): number {
  const random = opts.random ?? Math.random
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(opts.attempt, 30))
  const jittered = Math.floor(random() * ceiling)
  return Math.max(jittered, opts.retryAfterMs ?? 0)
}

/**
 * Parses an HTTP `Retry-After` (seconds or an HTTP date) into milliseconds from `now`.
 * Returns undefined when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
