import { describe, expect, it } from 'vitest'
import { ConnectorError } from '../../../worker/failure/errors.ts'
import { decide, toFailure, type Failure } from '../../../worker/failure/policy.ts'

const NOW = 1_700_000_000_000
const TIMING = { baseMs: 1_000, capMs: 60_000, now: NOW }
const low = () => 0
const high = () => 0.999

const failure = (overrides: Partial<Failure> = {}): Failure => ({
  kind: 'transient',
  code: 'SERVER_UNAVAILABLE',
  message: 'try later',
  ...overrides,
})

describe('decide', () => {
  it.each([
    // attempt 3 → ceiling min(60 s, 1 s·2³) = 8 s
    ['jitter drawing 0', low, 0],
    ['jitter drawing 0.999', high, 7_992],
  ])('retries with full jitter under the exponential ceiling (%s)', (_name, random, delayMs) => {
    expect(decide(failure(), { ...TIMING, attempt: 3, random })).toEqual({
      action: 'retry',
      at: NOW + delayMs,
      delayMs,
    })
  })

  it('caps the ceiling', () => {
    expect(decide(failure(), { ...TIMING, attempt: 20, random: high })).toMatchObject({
      delayMs: 59_940,
    })
  })

  it.each([
    ['0', low],
    ['0.999', high],
  ])('never retries sooner than Retry-After, with jitter pinned to %s', (_name, random) => {
    const decision = decide(failure({ category: 'rate_limited', retryAfterMs: 30_000 }), {
      ...TIMING,
      attempt: 1,
      random,
    })
    expect(decision).toEqual({ action: 'retry', at: NOW + 30_000, delayMs: 30_000 })
  })

  it('lets jitter above Retry-After stand', () => {
    expect(
      decide(failure({ retryAfterMs: 1_000 }), { ...TIMING, attempt: 5, random: () => 0.5 }),
    ).toMatchObject({ delayMs: 16_000 })
  })

  it('never retries sooner than the floor, and the larger of floor and Retry-After wins', () => {
    const opts = { ...TIMING, attempt: 1, random: low, floorMs: 2_000 }
    expect(decide(failure(), opts)).toMatchObject({ delayMs: 2_000 })
    expect(decide(failure({ retryAfterMs: 9_000 }), opts)).toMatchObject({ delayMs: 9_000 })
  })

  it('parks a retryable failure as retries_exhausted at the attempt cap, naming the last error', () => {
    const opts = { ...TIMING, random: low, maxAttempts: 5 }
    expect(decide(failure(), { ...opts, attempt: 4 }).action).toBe('retry')
    expect(decide(failure({ category: 'auth' }), { ...opts, attempt: 5 })).toEqual({
      action: 'park',
      code: 'retries_exhausted',
      message: 'Gave up after 5 attempts; last error SERVER_UNAVAILABLE: try later',
    })
  })

  it('retries forever without a cap', () => {
    expect(decide(failure(), { ...TIMING, attempt: 10_000, random: low }).action).toBe('retry')
  })

  it.each([
    ['business', undefined, 'park'],
    ['business', 'park', 'park'],
    ['business', 'dead_letter', 'dead_letter'],
    ['bad_request', 'dead_letter', 'dead_letter'],
    ['bad_request', undefined, 'park'],
  ] as const)(
    'never retries a %s failure: refused %s → %s, with its own code and message',
    (category, refused, action) => {
      const refusal = failure({ kind: 'business', category, code: 'card_declined', message: 'no' })
      expect(
        decide(refusal, { ...TIMING, attempt: 1, maxAttempts: 1, random: low, refused }),
      ).toEqual({ action, code: 'card_declined', message: 'no' })
    },
  )

  it('reads a kind without a category', () => {
    expect(
      decide({ kind: 'business', code: 'x', message: 'm' }, { ...TIMING, attempt: 1 }).action,
    ).toBe('park')
  })
})

describe('toFailure', () => {
  it('keeps a ConnectorError as classified', () => {
    const err = new ConnectorError({
      category: 'rate_limited',
      system: 'stripe',
      code: 'rate_limit',
      message: 'slow down',
      retryAfterMs: 7_000,
    })
    expect(toFailure(err)).toEqual({
      kind: 'transient',
      category: 'rate_limited',
      code: 'rate_limit',
      message: 'slow down',
      retryAfterMs: 7_000,
    })
  })

  it('treats anything else as a retryable internal error, without its message', () => {
    const thrown = new TypeError('secret detail')
    expect(toFailure(thrown, 'see the logs')).toEqual({
      kind: 'transient',
      category: 'transient',
      code: 'internal_error',
      message: 'see the logs',
    })
    expect(decide(toFailure(thrown), { ...TIMING, attempt: 1, random: low }).action).toBe('retry')
  })
})
