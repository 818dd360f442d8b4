import { salesforceTokensOf } from '../support/connectors.ts'
import { env } from 'cloudflare:workers'
import { emulatorControl } from '../support/vendors.ts'
import { describe, expect, inject, it, vi } from 'vitest'
import { ConnectorError } from '../../../worker/failure/errors.ts'
import { refreshEvent } from '../../../worker/writer/records/index.ts'
import { refreshBucket } from '../../../shared/refresh-bucket.ts'
import {
  SalesforceClient,
  soqlQuote,
  type ApiLimits,
  type UpsertGroup,
} from '../../../worker/connectors/salesforce/index.ts'
import { asText } from '../../emulators/common/text.ts'

const { salesforceUrl } = inject('vendors')
const control = (path: string, body?: unknown) => emulatorControl(salesforceUrl, path, body)
const apiCalls = async () => ((await control('state')).api as { total: number }).total
const stored = async (object: string, prefix: string) =>
  (
    (await control(`salesforce/records/${object}`, {})).records as Array<Record<string, unknown>>
  ).filter((r) => asText(r.External_Id__c ?? '').startsWith(prefix))

function client(apiVersion = '65.0', onLimits?: (l: ApiLimits) => void): SalesforceClient {
  const tokens = salesforceTokensOf(env)
  if (!tokens) throw new Error('the worker test env has no Salesforce settings')
  return new SalesforceClient({ tokens, apiVersion, onLimits })
}

/** `n` invoices with fresh external ids `${prefix}-<i>`. */
function invoices(prefix: string, n: number): UpsertGroup {
  return {
    object: 'Billing_Invoice__c',
    externalIdField: 'External_Id__c',
    records: Array.from({ length: n }, (_, i) => ({
      External_Id__c: `${prefix}-${i}`,
      Number__c: `N-${i}`,
      Status__c: 'open',
      Amount_Due__c: 10 + i,
      Currency_Iso__c: 'USD',
    })),
  }
}
const fresh = () => `in_${crypto.randomUUID().slice(0, 12)}`

describe('SalesforceClient.upsertMany', () => {
  it('writes 1,000 records in one API call and answers every record', async () => {
    const sf = client()
    await sf.query('SELECT Id FROM Account LIMIT 1') // token minted outside the measured window
    const prefix = fresh()
    const before = await apiCalls()
    const { results } = await sf.upsertMany([invoices(prefix, 1000)])
    expect(await apiCalls()).toBe(before + 1)
    expect(results[0]).toHaveLength(1000)
    expect(results[0]?.every((r) => r.ok && r.created)).toBe(true)
    expect(await stored('Billing_Invoice__c', prefix)).toHaveLength(1000)
  })

  it('needs a second API call for the 1,001st record', async () => {
    const sf = client()
    const prefix = fresh()
    const before = await apiCalls()
    const { results } = await sf.upsertMany([invoices(prefix, 601), invoices(`${prefix}-b`, 400)])
    expect(await apiCalls()).toBe(before + 2)
    expect([...(results[0] ?? []), ...(results[1] ?? [])].filter((r) => r.ok)).toHaveLength(1001)
  })

  it('returns transient and permanent record failures per record, and the rest succeed', async () => {
    const sf = client()
    const prefix = fresh()
    await control('salesforce/recordFaults', {
      append: true,
      rules: [
        {
          object: 'Billing_Invoice__c',
          externalId: `${prefix}-1`,
          statusCode: 'UNABLE_TO_LOCK_ROW',
          times: 1,
        },
        {
          object: 'Billing_Invoice__c',
          externalId: `${prefix}-2`,
          statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
          times: 1,
        },
      ],
    })
    const group = invoices(prefix, 4)
    const tooLong = { ...group.records[3], Number__c: 'x'.repeat(81) }
    const { results } = await sf.upsertMany([
      { ...group, records: [...group.records.slice(0, 3), tooLong] } as UpsertGroup,
    ])
    const [ok, locked, invalid, long] = results[0] ?? []
    expect(ok).toMatchObject({ ok: true, created: true })
    expect(locked).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'UNABLE_TO_LOCK_ROW' },
    })
    expect(invalid).toMatchObject({
      ok: false,
      error: { kind: 'business', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
    })
    expect(long).toMatchObject({ ok: false, error: { kind: 'business', code: 'STRING_TOO_LONG' } })
    expect((await stored('Billing_Invoice__c', prefix)).map((r) => r.External_Id__c)).toEqual([
      `${prefix}-0`,
    ])
    const retried = await sf.upsertMany([{ ...group, records: [group.records[1]] } as UpsertGroup])
    expect(retried.results[0]?.[0]).toMatchObject({ ok: true, created: true })
  })

  it('writes a key repeated in one batch in input order, the last value winning', async () => {
    const sf = client()
    const prefix = fresh()
    const key = `${prefix}-dup`
    const { results } = await sf.upsertMany([
      {
        object: 'Billing_Invoice__c',
        externalIdField: 'External_Id__c',
        records: [
          { External_Id__c: key, Status__c: 'open' },
          { External_Id__c: `${prefix}-other` },
          { External_Id__c: key, Status__c: 'paid' },
        ],
      },
    ])
    expect(results[0]?.map((r) => r.ok)).toEqual([true, true, true])
    expect((await stored('Billing_Invoice__c', key)).map((r) => r.Status__c)).toEqual(['paid'])
  })

  it('updates Accounts by record id through sObject Collections update, never creating one', async () => {
    const sf = client()
    const { results: created } = (await control('salesforce/put', {
      object: 'Account',
      records: [{ Name: `Acct ${fresh()}` }],
    })) as { results: Array<{ id: string }> }
    const id = created[0]?.id as string
    const { results } = await sf.upsertMany([
      {
        object: 'Account',
        externalIdField: 'Id',
        records: [
          {
            Id: id,
            Concord_Standing__c: 'watch',
            Concord_Balance__c: 1250.5,
            Concord_Credit_Hold__c: true,
          },
          { Id: '001000000000404AAA', Concord_Standing__c: 'hold' },
        ],
      },
    ])
    expect(results[0]?.[0]).toEqual({ ok: true, id, created: false })
    expect(results[0]?.[1]).toMatchObject({
      ok: false,
      error: { kind: 'business', code: 'NOT_FOUND' },
    })
    const accounts = (await control('salesforce/records/Account', {})).records as Array<
      Record<string, unknown>
    >
    expect(accounts.find((a) => a.Id === id)).toMatchObject({
      Concord_Standing__c: 'watch',
      Concord_Balance__c: 1250.5,
      Concord_Credit_Hold__c: true,
    })
  })

  it('publishes a refresh hint in the same Composite as the records', async () => {
    const sf = client()
    const prefix = fresh()
    const before = await apiCalls()
    const accounts = ['001000000000001AAA', '001000000000002AAA']
    const { results, events } = await sf.upsertMany([invoices(prefix, 3)], {
      events: [{ event: 'Concord_Refresh__e', fields: refreshEvent(accounts, `test ${prefix}`) }],
    })
    expect(await apiCalls()).toBe(before + 1)
    expect(results[0]?.every((r) => r.ok)).toBe(true)
    expect(events[0]).toMatchObject({
      ok: true,
      eventUuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
    })
    const bus = (await control('salesforce/events', { channel: '/event/Concord_Refresh__e' }))
      .events as Array<{ uuid: string; fields: Record<string, unknown> }>
    const delivered = bus.find(
      (e) => e.uuid === (events[0] as { eventUuid: string }).eventUuid,
    )?.fields
    expect(delivered).toMatchObject({
      Buckets__c: accounts.map(refreshBucket).sort().join(','),
      Reason__c: `test ${prefix}`,
    })
    // What every empApi subscriber receives names no record (issue 11, item 4).
    for (const id of accounts) expect(JSON.stringify(delivered)).not.toContain(id.slice(0, 15))
  })
})

/*
 * The emulator's HTTP fault rules are one list that each `faults` call replaces, so every test
 * that sets them lives here, in sequence, each scoped to an API version no other suite uses.
 */
describe('SalesforceClient whole-request failures', () => {
  it('gives up after one re-mint when Salesforce keeps answering INVALID_SESSION_ID', async () => {
    const spy = vi.spyOn(globalThis, 'fetch')
    const calls = (suffix: string) =>
      spy.mock.calls.filter(([input]) =>
        String(input instanceof Request ? input.url : input).endsWith(suffix),
      ).length
    const sf = client('61.0')
    await sf.call('GET', '/limits')
    await control('faults', {
      rules: [{ route: 'GET /services/data/v61.0/limits', status: 401, count: 2 }],
    })
    spy.mockClear()
    const err = await sf.call('GET', '/limits').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectorError)
    expect(err).toMatchObject({ kind: 'transient', code: 'INVALID_SESSION_ID', status: 401 })
    expect(calls('/services/oauth2/token')).toBe(1)
    expect(calls('/limits')).toBe(2)
    spy.mockRestore()
  })

  it('classifies 403 REQUEST_LIMIT_EXCEEDED as transient on every record and exposes the limits', async () => {
    const seen: ApiLimits[] = []
    const sf = client('62.0', (l) => seen.push(l))
    await control('faults', {
      rules: [{ route: 'POST /services/data/v62.0/composite', status: 403, count: 1 }],
    })
    const prefix = fresh()
    const before = await apiCalls()
    const { results } = await sf.upsertMany([invoices(prefix, 1001)])
    expect(
      results[0]?.every(
        (r) =>
          !r.ok &&
          r.error.kind === 'transient' &&
          r.error.code === 'REQUEST_LIMIT_EXCEEDED' &&
          r.error.status === 403,
      ),
    ).toBe(true)
    // The first refusal stops the run: the second Composite is never sent.
    expect(await apiCalls()).toBe(before)
    const { api } = (await control('state')) as { api: { max: number } }
    expect(sf.limits()).toMatchObject({
      max: api.max,
      used: expect.any(Number),
      observedAt: expect.any(Number),
    })
    expect(seen).toHaveLength(1)
    expect(await stored('Billing_Invoice__c', prefix)).toHaveLength(0)
  })

  it('classifies a 503 (with Retry-After) and a request that never answers as transient on every record', async () => {
    const tokens = salesforceTokensOf(env)
    if (!tokens) throw new Error('the worker test env has no Salesforce settings')
    const sf = new SalesforceClient({ tokens, apiVersion: '63.0', timeoutMs: 300 })
    await control('faults', {
      rules: [
        { route: 'POST /services/data/v63.0/composite', status: 503, retryAfter: 7, count: 1 },
        { route: 'POST /services/data/v63.0/composite', hang: true, count: 1 },
      ],
    })
    const prefix = fresh()
    const unavailable = await sf.upsertMany([invoices(prefix, 2)])
    expect(unavailable.results[0]).toEqual(
      [0, 1].map(() => ({
        ok: false,
        error: expect.objectContaining({
          kind: 'transient',
          code: 'SERVER_UNAVAILABLE',
          status: 503,
          retryAfterMs: 7000,
        }),
      })),
    )
    const hung = await sf.upsertMany([invoices(prefix, 2)])
    expect(hung.results[0]?.[0]).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'timeout' },
    })
    expect(await stored('Billing_Invoice__c', prefix)).toHaveLength(0)
  })
})

describe('SalesforceClient.publish', () => {
  it('publishes events judged by success (OPERATION_ENQUEUED is not a failure), several per call', async () => {
    const sf = client()
    await sf.query('SELECT Id FROM Account LIMIT 1')
    const reason = `batch ${fresh()}`
    const before = await apiCalls()
    const out = await sf.publish([
      { event: 'Concord_Refresh__e', fields: refreshEvent(['001000000000001AAA'], reason) },
      { event: 'Concord_Refresh__e', fields: refreshEvent(['001000000000002AAA'], reason) },
      { event: 'Concord_Refresh__e', fields: { Reason__c: 'r'.repeat(41) } },
    ])
    expect(await apiCalls()).toBe(before + 1)
    expect(out.map((r) => r.ok)).toEqual([true, true, false])
    expect(out[2]).toMatchObject({
      ok: false,
      error: { kind: 'business', code: 'STRING_TOO_LONG' },
    })
    const bus = (await control('salesforce/events', { channel: '/event/Concord_Refresh__e' }))
      .events as Array<{ fields: Record<string, unknown> }>
    expect(bus.filter((e) => e.fields.Reason__c === reason)).toHaveLength(2)
  })
})

describe('SalesforceClient.query', () => {
  it('follows nextRecordsUrl to the last page, one API call per page', async () => {
    const sf = client()
    await sf.query('SELECT Id FROM Account LIMIT 1')
    const prefix = fresh()
    await control('salesforce/put', {
      object: 'Billing_Invoice__c',
      externalIdField: 'External_Id__c',
      records: invoices(prefix, 2001).records,
    })
    const before = await apiCalls()
    const rows = await sf.query<{ External_Id__c: string }>(
      `SELECT External_Id__c FROM Billing_Invoice__c WHERE External_Id__c LIKE ${soqlQuote(`${prefix}-%`)}`,
    )
    expect(await apiCalls()).toBe(before + 2)
    expect(new Set(rows.map((r) => r.External_Id__c)).size).toBe(2001)
  })

  it('raises a malformed query as a business error', async () => {
    await expect(client().query('SELECT FROM')).rejects.toMatchObject({
      kind: 'business',
      code: 'MALFORMED_QUERY',
    })
  })

  it('quotes values so they cannot end the literal', () => {
    expect(soqlQuote("O'Brien \\ co")).toBe("'O\\'Brien \\\\ co'")
  })
})
