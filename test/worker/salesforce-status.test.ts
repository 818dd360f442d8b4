import { env, exports } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { EVENT_RETENTION_HOURS, SetupStatus } from '../../shared/setup-status.ts'
import { signRequest } from '../../worker/lib/signature.ts'
import { DoubleWriterClient } from '../doubles/writer-client.ts'
import { amendmentEvent, drainWriter, expectSafeError, postEvents } from './support/helpers.ts'
import { TEST_EVENTS_SECRET } from './support/test-config.ts'
import { useWriterClient } from './support/wiring.ts'

const STATUS = '/v1/salesforce/status'

/** A GET signed the way `WorkerClient` signs it in Salesforce (v2, empty body). */
async function signedGet(target = STATUS, secret = TEST_EVENTS_SECRET): Promise<Response> {
  const headers = await signRequest(secret, { method: 'GET', target, body: '' })
  return exports.default.fetch(`https://concord.test${target}`, { headers })
}

async function status(): Promise<SetupStatus> {
  const res = await signedGet()
  expect(res.status).toBe(200)
  return SetupStatus.parse(await res.json())
}

afterEach(() => useWriterClient())

describe('GET /v1/salesforce/status', () => {
  it('answers a signed call with the catch-up, the writer and the backlog', async () => {
    const before = await status()
    expect(before.catchUp).toMatchObject({
      health: 'never_run',
      retentionHours: EVENT_RETENTION_HOURS,
      consecutiveFailures: 0,
    })
    expect(before.catchUp?.lastSuccessAt).toBeUndefined()
    expect(before.writer).toEqual({ pending: 0, parked: 0 })
    expect(before.parkedAmendments).toBe(0)
    expect(Date.parse(before.checkedAt)).toBeGreaterThan(Date.now() - 60_000)

    const rejected = await postEvents([amendmentEvent({ Action__c: 'not_an_action' })])
    expect(rejected.status).toBe(200)
    const after = await status()
    expect(after.quarantined).toBe((before.quarantined ?? 0) + 1)
  })

  it('lists a record Salesforce refused by its code and time, without its message or ids', async () => {
    const client = new DoubleWriterClient().fail('in_refused_1', 'business')
    useWriterClient(() => client)
    await env.ORG_WRITER.getByName('org').enqueue([
      {
        object: 'Billing_Invoice__c',
        externalIdField: 'External_Id__c',
        externalId: 'in_refused_1',
        fields: { Amount_Due__c: -1, Status__c: 'open' },
        sourceUpdatedAt: Date.now(),
        accountId: '001Hs00000Xk9ZpIAJ',
      },
    ])
    await drainWriter('org')

    const res = await signedGet()
    const text = await res.text()
    const body = SetupStatus.parse(JSON.parse(text))
    expect(body.writer).toEqual({ pending: 0, parked: 1 })
    expect(body.errors).toEqual([
      { source: 'writer', at: expect.any(String), code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
    ])
    // The page is for admins, but the figures cross the internet: codes and counts only.
    for (const detail of ['Amount must be positive', 'in_refused_1', '001Hs00000Xk9Zp'])
      expect(text).not.toContain(detail)
  })

  it('refuses a bad signature with 401 and no figures', async () => {
    const res = await signedGet(STATUS, 'not-the-secret-not-the-secret-not-the-secret')
    expect(res.status).toBe(401)
    const error = await expectSafeError(res)
    expect(error.code).toBe('unauthorized')
    expect(JSON.stringify(error)).not.toMatch(/catchUp|quarantined|[0-9a-f]{64}/)
  })

  it('refuses an unsigned call, and a signature made for another route', async () => {
    const unsigned = await exports.default.fetch(`https://concord.test${STATUS}`)
    expect(unsigned.status).toBe(401)
    await expectSafeError(unsigned)
    const headers = await signRequest(TEST_EVENTS_SECRET, {
      method: 'GET',
      target: '/v1/catalog',
      body: '',
    })
    const moved = await exports.default.fetch(`https://concord.test${STATUS}`, { headers })
    expect(moved.status).toBe(401)
    await expectSafeError(moved)
  })

  it('refuses query parameters, even signed ones', async () => {
    const res = await signedGet(`${STATUS}?verbose=1`)
    expect(res.status).toBe(400)
    expect((await expectSafeError(res)).message).toMatch(/no query parameters/)
  })
})
