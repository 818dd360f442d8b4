/**
 * Pacing against the org's daily API allocation. Concord may use `share` of it (the rest is the
 * org's); as its own rolling-24-hour use approaches that share, flushes come further apart so
 * more updates coalesce into each call. Updates are never dropped: at the limit they wait.
 */
export interface BudgetInput {
  /** API calls Concord made in the last 24 hours. */
  ownCalls24h: number
  /** The org's allocation and use, from the last `Sforce-Limit-Info`. */
  usage?: { used: number; max: number }
  share: number
  baseIntervalMs: number
}

export const HOLD_INTERVAL_MS = 15 * 60_000

/** Milliseconds to wait between flushes now; `HOLD_INTERVAL_MS` when the budget is spent. */
export function flushIntervalMs(b: BudgetInput): number {
  if (!b.usage || b.usage.max <= 0) return b.baseIntervalMs
  if (b.usage.used >= b.usage.max * 0.98) return HOLD_INTERVAL_MS
  const allowance = b.usage.max * b.share
  const spent = allowance > 0 ? b.ownCalls24h / allowance : 1
  if (spent >= 1) return HOLD_INTERVAL_MS
  if (spent < 0.5) return b.baseIntervalMs
  // From 50 % to 100 % of the share, stretch the interval smoothly up to one minute.
  const stretch = (spent - 0.5) / 0.5
  return Math.round(b.baseIntervalMs + stretch * (60_000 - b.baseIntervalMs))
}
