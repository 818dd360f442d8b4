import { describe, expect, it } from 'vitest'
import { checkClocks, skewSeconds } from '../src/doctor/clock.ts'
import { keyMode } from '../src/doctor/stripe.ts'
import { failure, redact } from '../src/lib/failure.ts'
import { renderTable } from '../src/lib/table.ts'

describe('doctor pieces', () => {
  it('reads a Stripe key’s mode from its prefix and nothing else', () => {
    expect(keyMode('sk_test_abc')).toBe('test')
    expect(keyMode('rk_live_abc')).toBe('live')
    expect(keyMode('pk_live_abc')).toBeUndefined()
    expect(keyMode('whsec_abc')).toBeUndefined()
  })

  it('measures skew against the request’s midpoint and fails Salesforce and the worker 5 min apart', () => {
    const at = Date.parse('2026-12-07T12:00:00Z')
    const sample = (source: string, offsetS: number) => ({
      source,
      date: new Date(at + offsetS * 1000).toUTCString(),
      sentAt: at - 500,
      receivedAt: at + 500,
    })
    expect(skewSeconds(sample('worker', 30))).toBe(30)
    expect(skewSeconds({ ...sample('worker', 0), date: null })).toBeUndefined()
    expect(checkClocks([sample('worker', 0), sample('salesforce', 2)])[0]?.status).toBe('pass')
    expect(checkClocks([sample('worker', 0), sample('salesforce', 90)])[0]?.status).toBe('warn')
    expect(checkClocks([sample('worker', -200), sample('salesforce', 200)])[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('400 s apart') as string,
    })
  })

  it('wraps long cells under their column', () => {
    const lines = renderTable(
      [{ a: 'x', b: 'one two three four' }],
      [
        { header: 'A', get: (r) => r.a },
        { header: 'B', get: (r) => r.b, max: 9 },
      ],
    )
    expect(lines).toEqual(['A  B', '─  ─────────', 'x  one two', '   three', '   four'])
  })
})

describe('failure', () => {
  it('says what was done, what was answered and what next, with secrets scrubbed', () => {
    const err = failure(
      {
        doing: 'Listing with sk_test_secret123',
        said: 'refused sk_test_secret123',
        next: ['rotate sk_test_secret123'],
      },
      ['sk_test_secret123'],
    )
    expect(err.message).toBe('Listing with [redacted] failed: refused [redacted]')
    expect(err.actions).toEqual(['rotate [redacted]'])
    expect(redact('abc', ['abc'])).toBe('abc')
  })
})
