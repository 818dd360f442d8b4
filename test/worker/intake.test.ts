import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import fixture from '../fixtures/salesforce/subscription-amendment-events.json'
import {
  ACCOUNT_A,
  amendmentEvent,
  expectSafeError,
  ledger,
  operatorFetch,
  postEvents,
} from './support/helpers.ts'
import { TEST_EVENTS_SECRET } from './support/test-config.ts'

const now = () => Math.floor(Date.now() / 1000)
/** Amendments stored, whatever state the pump has moved them to since. */
const total = (counts: Record<string, number> | undefined) =>
  Object.values(counts ?? {}).reduce((a, b) => a + b, 0)

describe('POST /v1/salesforce/events', () => {
  describe('signature', () => {
    it('accepts a batch signed with the shared secret and stores it in the ledger', async () => {
      const res = await postEvents(fixture.events)
      expect(res.status).toBe(200)
      const body = await res.json<{ counts: Record<string, number> }>()
      expect(body.counts).toEqual({ queued: 5 })
      const summary = await ledger(ACCOUNT_A).summary()
      expect(total(summary?.counts)).toBe(5)
    })

    it('refuses a body signed with the wrong secret and stores nothing', async () => {
      const event = amendmentEvent({ Account_Id__c: '001Hs00000Wr0ngIAB' })
      const res = await postEvents([event], { secret: 'x'.repeat(40) })
      expect(res.status).toBe(401)
      expect((await expectSafeError(res)).message).toMatch(/does not match/)
      expect(await ledger('001Hs00000Wr0ngIAB').summary()).toBeUndefined()
    })

    it('refuses a body changed after signing', async () => {
      const event = amendmentEvent()
      const signed = JSON.stringify({ events: [event] })
      const tampered = signed.replace('"Quantity__c":10', '"Quantity__c":1000')
      expect(tampered).not.toBe(signed)
      const { signRequest } = await import('../../worker/lib/signature.ts')
      const headers = await signRequest(TEST_EVENTS_SECRET, {
        method: 'POST',
        target: '/v1/salesforce/events',
        body: signed,
      })
      const res = await postEvents([], { body: tampered, headers })
      expect(res.status).toBe(401)
      await expectSafeError(res)
    })

    it.each([
      ['stale', -360],
      ['future', 360],
    ])('refuses a %s timestamp beyond the 5-minute window', async (_, skew) => {
      const res = await postEvents([amendmentEvent()], { timestamp: now() + skew })
      expect(res.status).toBe(401)
      expect((await expectSafeError(res)).message).toMatch(/5 minutes/)
    })

    it('accepts a timestamp just inside the window', async () => {
      const res = await postEvents([amendmentEvent()], { timestamp: now() - 290 })
      expect(res.status).toBe(200)
    })

    it('refuses a request with no signature headers', async () => {
      const { exports } = await import('cloudflare:workers')
      const res = await exports.default.fetch('https://concord.test/v1/salesforce/events', {
        method: 'POST',
        body: '{"events":[]}',
      })
      expect(res.status).toBe(401)
      expect((await expectSafeError(res)).message).toMatch(/Missing X-Concord-Timestamp/)
    })
  })

  describe('validation', () => {
    it('names the field and the reason for each invalid event, and keeps the valid ones', async () => {
      const good = amendmentEvent()
      const badSequence = amendmentEvent({ Sequence__c: 'three' })
      const badAction = amendmentEvent({ Action__c: 'upgrade', Sequence__c: 2 })
      const missingQty = amendmentEvent({
        Action__c: 'change_quantity',
        Sequence__c: 3,
        Quantity__c: null,
        Price_Key__c: null,
      })
      const unknownPrice = amendmentEvent({
        Price_Key__c: 'gold-plan',
        Subscription_Key__c: 'SUB-2',
      })
      const res = await postEvents([good, badSequence, badAction, missingQty, unknownPrice])
      expect(res.status).toBe(200)
      const body = await res.json<{
        results: Array<{ status: string; errors?: Array<{ field: string; message: string }> }>
      }>()
      expect(body.results.map((r) => r.status)).toEqual([
        'queued',
        'rejected',
        'rejected',
        'rejected',
        'rejected',
      ])
      expect(body.results[1]?.errors?.[0]?.field).toBe('Sequence__c')
      expect(body.results[2]?.errors?.[0]).toMatchObject({ field: 'Action__c' })
      expect(body.results[2]?.errors?.[0]?.message).toMatch(/create.*change_quantity/)
      expect(body.results[3]?.errors?.[0]).toEqual({
        field: 'Quantity__c',
        message: 'is required for a quantity change',
      })
      expect(body.results[4]?.errors?.[0]).toEqual({
        field: 'Price_Key__c',
        message: '"gold-plan" is not in catalog demo-2026-11',
      })
    })

    it('keeps each rejected event in the quarantine with its raw payload and reasons', async () => {
      const bad = amendmentEvent({ Account_Id__c: '003Hs00000Xk9ZpIAJ', Marker: 'keep-me' })
      const res = await postEvents([bad])
      const body = await res.json<{ results: Array<{ quarantineId: string }> }>()
      const listed = await operatorFetch('/v1/quarantine')
      expect(listed.status).toBe(200)
      const { items } = await listed.json<{
        items: Array<{ id: string; raw: string; reasons: unknown; eventUuid?: string }>
      }>()
      const entry = items.find((i) => i.id === body.results[0]?.quarantineId)
      expect(entry).toBeDefined()
      expect(JSON.parse(entry?.raw ?? '{}')).toEqual(bad)
      expect(entry?.eventUuid).toBe(bad.EventUuid)
      expect(entry?.reasons).toEqual([
        { field: 'Account_Id__c', message: 'must be an Account id (prefix 001)' },
      ])
    })

    it('keeps a refused event of more than 2 MB, cut to what a stored row can hold', async () => {
      const { MAX_QUARANTINED_RAW_CHARS } = await import('../../worker/intake/quarantine.ts')
      const bad = amendmentEvent({
        Account_Id__c: '003Hs00000Xk9ZpIAJ',
        Note: 'é'.repeat(2_500_000),
      })
      const res = await postEvents([bad])
      expect(res.status).toBe(200)
      const body = await res.json<{
        results: Array<{ status: string; quarantineId: string }>
      }>()
      expect(body.results[0]?.status).toBe('rejected')
      const { items } = await (
        await operatorFetch('/v1/quarantine')
      ).json<{
        items: Array<{ id: string; raw: string; eventUuid?: string }>
      }>()
      const entry = items.find((i) => i.id === body.results[0]?.quarantineId)
      expect(entry?.eventUuid).toBe(bad.EventUuid)
      expect(entry?.raw).toHaveLength(MAX_QUARANTINED_RAW_CHARS)
      expect(JSON.stringify(bad).startsWith(entry?.raw ?? '-')).toBe(true)
    })

    it('rejects a ReplayId longer than 255 characters rather than storing it', async () => {
      const res = await postEvents([amendmentEvent({ ReplayId: '7'.repeat(256) })])
      const body = await res.json<{
        results: Array<{ status: string; errors: Array<{ field: string }> }>
      }>()
      expect(body.results[0]?.status).toBe('rejected')
      expect(body.results[0]?.errors[0]?.field).toBe('ReplayId')
    })

    it('refuses a body that is not JSON with a clear 400', async () => {
      const res = await postEvents([], { body: '{"events": [ nope' })
      expect(res.status).toBe(400)
      expect((await expectSafeError(res)).message).toBe('Request body is not valid JSON.')
    })

    it('refuses a body without an events array, naming the field', async () => {
      const res = await postEvents([], { body: '{"event": {}}' })
      expect(res.status).toBe(400)
      const error = await expectSafeError(res)
      expect(error.details).toEqual([
        { field: 'events', message: expect.stringMatching(/expected array/) },
      ])
    })

    it('refuses more than 2,000 events in one batch', async () => {
      const events = Array.from({ length: 2001 }, (_, i) => ({ n: i }))
      const res = await postEvents(events)
      expect(res.status).toBe(413)
      expect((await expectSafeError(res)).message).toMatch(/at most 2000 events; this one has 2001/)
    })

    it('refuses an oversized body before reading it all', async () => {
      const body = JSON.stringify({ events: [{ pad: 'x'.repeat(7 * 1024 * 1024) }] })
      const res = await postEvents([], { body })
      expect(res.status).toBe(413)
      await expectSafeError(res)
    })
  })

  describe('duplicates', () => {
    it('answers duplicate for an event delivered again, in the same batch or a later one', async () => {
      const event = amendmentEvent({ Account_Id__c: '001Hs00000Dup01IAB' })
      const first = await (
        await postEvents([event, event])
      ).json<{
        results: Array<{ status: string }>
      }>()
      expect(first.results.map((r) => r.status)).toEqual(['queued', 'duplicate'])
      const again = await (
        await postEvents([event])
      ).json<{
        results: Array<{ status: string }>
      }>()
      expect(again.results.map((r) => r.status)).toEqual(['duplicate'])
      const summary = await env.ACCOUNT_LEDGER.getByName('001Hs00000Dup01IAB').summary()
      expect(total(summary?.counts)).toBe(1)
    })

    it('treats the 15- and 18-character forms of an account id as one ledger', async () => {
      const long = amendmentEvent({
        Account_Id__c: '001Hs00000Xk9ZpIAJ',
        Subscription_Key__c: 'SUB-15-18',
      })
      const short = { ...long, Account_Id__c: '001Hs00000Xk9Zp' }
      await postEvents([long])
      const res = await (
        await postEvents([short])
      ).json<{
        results: Array<{ status: string }>
      }>()
      expect(res.results[0]?.status).toBe('duplicate')
    })

    it('rejects a different event that reuses a taken sequence number', async () => {
      const first = amendmentEvent({ Subscription_Key__c: 'SUB-CLASH' })
      const clash = amendmentEvent({ Subscription_Key__c: 'SUB-CLASH' })
      await postEvents([first])
      const res = await (
        await postEvents([clash])
      ).json<{
        results: Array<{ status: string; errors: Array<{ field: string; message: string }> }>
      }>()
      expect(res.results[0]?.status).toBe('rejected')
      expect(res.results[0]?.errors[0]?.field).toBe('Sequence__c')
      expect(res.results[0]?.errors[0]?.message).toContain(first.EventUuid as string)
    })
  })
})
