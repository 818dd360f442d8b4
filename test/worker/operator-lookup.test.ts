import { exports } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import pkg from '../../package.json'
import { useConnectorFactory } from './support/wiring.ts'
import { DoubleConnectors } from '../doubles/connectors.ts'
import {
  amendmentChain,
  expectSafeError,
  newAccountId,
  operatorFetch,
  postEvents,
} from './support/helpers.ts'

beforeEach(() => useConnectorFactory(() => new DoubleConnectors()))
afterEach(() => useConnectorFactory())

type Found = {
  items: Array<{
    amendmentId: string
    correlationId: string
    accountId: string
    receivedAt: string
  }>
}

describe('GET /healthz', () => {
  it('names the version the worker was built from', async () => {
    const res = await exports.default.fetch('https://concord.test/healthz')
    expect(res.status).toBe(200)
    const body = await res.json<{ ok: boolean; version: string }>()
    expect(body).toEqual({ ok: true, version: pkg.version })
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/)
  })
})

describe('GET /v1/lookup/:id', () => {
  it('finds the account of an amendment by its correlation id, and by its amendment id', async () => {
    const account = newAccountId()
    const other = newAccountId()
    const [mine] = amendmentChain(1, { Account_Id__c: account })
    const [theirs] = amendmentChain(1, { Account_Id__c: other })
    const res = await postEvents([mine, theirs])
    expect(res.status).toBe(200)
    const correlationId = String(mine?.Correlation_Id__c)
    const byCorrelation = await operatorFetch(`/v1/lookup/${correlationId}`)
    expect(byCorrelation.status).toBe(200)
    const found = await byCorrelation.json<Found>()
    expect(found.items).toEqual([
      expect.objectContaining({ amendmentId: mine?.EventUuid, correlationId }),
    ])
    expect(found.items[0]?.accountId.slice(0, 15)).toBe(account.slice(0, 15))
    const byId = await operatorFetch(`/v1/lookup/${String(theirs?.EventUuid)}`)
    const other15 = (await byId.json<Found>()).items.map((i) => i.accountId.slice(0, 15))
    expect(other15).toEqual([other.slice(0, 15)])
  })

  it('keeps one row when the same event is delivered twice', async () => {
    const [event] = amendmentChain(1, { Account_Id__c: newAccountId() })
    await postEvents([event])
    await postEvents([event])
    const res = await operatorFetch(`/v1/lookup/${String(event?.Correlation_Id__c)}`)
    expect((await res.json<Found>()).items).toHaveLength(1)
  })

  it('answers 404 for an id no amendment has, and needs a token', async () => {
    const res = await operatorFetch(`/v1/lookup/${crypto.randomUUID()}`)
    expect(res.status).toBe(404)
    expect((await expectSafeError(res)).code).toBe('not_found')
    const anonymous = await exports.default.fetch(`https://concord.test/v1/lookup/x`)
    expect(anonymous.status).toBe(401)
  })

  it('does not index a quarantined event', async () => {
    const [bad] = amendmentChain(1, { Account_Id__c: newAccountId(), Sequence__c: -4 })
    await postEvents([bad])
    const res = await operatorFetch(`/v1/lookup/${String(bad?.Correlation_Id__c)}`)
    expect(res.status).toBe(404)
  })
})
