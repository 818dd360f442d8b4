import { describe, expect, it } from 'vitest'
import { flushIntervalMs, HOLD_INTERVAL_MS } from '../../../worker/writer/budget.ts'

describe('flushIntervalMs', () => {
  const base = { share: 0.1, baseIntervalMs: 2_000, usage: { used: 1_000, max: 100_000 } }
  it('keeps the base interval while under half of the share', () => {
    expect(flushIntervalMs({ ...base, ownCalls24h: 4_999 })).toBe(2_000)
  })
  it('stretches the interval as the share is used up', () => {
    const at75 = flushIntervalMs({ ...base, ownCalls24h: 7_500 })
    expect(at75).toBeGreaterThan(2_000)
    expect(at75).toBeLessThan(60_000)
    expect(flushIntervalMs({ ...base, ownCalls24h: 9_999 })).toBeGreaterThan(at75)
  })
  it('holds (and coalesces) once the share or the org allocation is spent', () => {
    expect(flushIntervalMs({ ...base, ownCalls24h: 10_000 })).toBe(HOLD_INTERVAL_MS)
    expect(
      flushIntervalMs({ ...base, ownCalls24h: 10, usage: { used: 99_000, max: 100_000 } }),
    ).toBe(HOLD_INTERVAL_MS)
  })
})
