import { describe, expect, it } from 'vitest'
import { amendmentFromEvent, toId18 } from '../../shared/index.ts'
import { backoffDelayMs, parseRetryAfter } from '../../worker/lib/backoff.ts'
import fixture from '../fixtures/salesforce/subscription-amendment-events.json'

describe('amendmentFromEvent', () => {
  it('maps every fixture event to the canonical amendment', () => {
    const parsed = fixture.events.map(amendmentFromEvent)
    expect(parsed.every((p) => p.ok)).toBe(true)
    const first = parsed[0]
    expect(first?.ok && first.amendment).toEqual({
      id: '3f1f5b2e-8a0c-4c59-9a7e-2b8d6f1c9e01',
      accountId: '001Hs00000Xk9ZpIAJ',
      subscriptionKey: 'SUB-ACME-PLATFORM',
      sequence: 1,
      action: 'create',
      priceKey: 'pro-monthly-usd',
      quantity: 25,
      proration: 'create_prorations',
      correlationId: 'c0a8e1f2-7d5b-4a3e-9c1d-0b2a3f4e5d6c',
      requestedBy: '005Hs00000A1b2cIAB',
      createdAt: '2026-11-20T15:04:11.000Z',
      replayId: '19347620',
    })
    const cancel = parsed[3]
    expect(cancel?.ok && cancel.amendment.accountId).toBe('001Hs00000Xk9ZpIAJ')
  })

  it('carries the preview’s proration date when the rep previewed', () => {
    const second = amendmentFromEvent(fixture.events[1])
    expect(second.ok && second.amendment.prorationDate).toBe(1795306000)
    const bad = amendmentFromEvent({ ...fixture.events[1], Proration_Date__c: -5 })
    expect(!bad.ok && bad.errors[0]?.field).toBe('Proration_Date__c')
  })

  it('names every bad field by its Salesforce API name', () => {
    const result = amendmentFromEvent({
      ...fixture.events[0],
      Sequence__c: 1.5,
      CreatedDate: 'yesterday',
      Correlation_Id__c: undefined,
    })
    expect(result.ok).toBe(false)
    expect(!result.ok && result.errors.map((e) => e.field).sort()).toEqual([
      'Correlation_Id__c',
      'CreatedDate',
      'Sequence__c',
    ])
  })

  it('requires sequence 1 for a create', () => {
    const result = amendmentFromEvent({ ...fixture.events[0], Sequence__c: 4 })
    expect(!result.ok && result.errors).toEqual([
      { field: 'Sequence__c', message: 'must be 1 for a create' },
    ])
  })

  it('refuses a quantity of zero on a seat change', () => {
    const result = amendmentFromEvent({ ...fixture.events[1], Quantity__c: 0 })
    expect(!result.ok && result.errors[0]?.field).toBe('Quantity__c')
  })
})

describe('toId18', () => {
  it('adds the case-safe suffix Salesforce computes', () => {
    expect(toId18('001Hs00000Xk9Zp')).toBe('001Hs00000Xk9ZpIAJ')
    expect(toId18('001Hs00000Xk9ZpIAJ')).toBe('001Hs00000Xk9ZpIAJ')
    expect(toId18('001000000000000')).toBe('001000000000000AAA')
  })
})

describe('backoff', () => {
  it('stays within full jitter of the exponential ceiling, capped', () => {
    expect(backoffDelayMs({ attempt: 3, baseMs: 100, capMs: 10_000, random: () => 0.999 })).toBe(
      799,
    )
    expect(backoffDelayMs({ attempt: 20, baseMs: 100, capMs: 10_000, random: () => 0.5 })).toBe(
      5_000,
    )
    expect(backoffDelayMs({ attempt: 1, baseMs: 100, capMs: 10_000, random: () => 0 })).toBe(0)
  })

  it('never retries sooner than Retry-After', () => {
    expect(
      backoffDelayMs({
        attempt: 1,
        baseMs: 100,
        capMs: 1_000,
        retryAfterMs: 30_000,
        random: () => 0.1,
      }),
    ).toBe(30_000)
  })

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7_000)
    expect(
      parseRetryAfter(new Date(Date.now() + 10_000).toUTCString(), Date.now()),
    ).toBeGreaterThan(8_000)
    expect(parseRetryAfter('soon')).toBeUndefined()
  })
})
