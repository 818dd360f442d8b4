import { sha256Hex } from '../lib/hmac.ts'

/** JSON with keys sorted at every level, so equal diffs serialise to equal bytes. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * The SHA-256 of everything a diff says would happen: every field but when it was computed.
 * Two diffs of the same vendor state share it; a changed amount, call or parameter does not.
 */
export function fingerprintOf(diff: { computedAt: string }): Promise<string> {
  const { computedAt: _, ...said } = diff
  return sha256Hex(canonical(said))
}
