import { describe, expect, it } from 'vitest'
import type { TraceResult } from '../../../worker/console/trace-lookup.ts'
import type { TraceMatch } from '../../../worker/ops/trace-index.ts'
import {
  amendmentEvent,
  drain,
  expectSafeError,
  operatorFetch,
  postEvents,
} from '../support/helpers.ts'
import { TEST_VIEWER_TOKEN } from '../support/test-config.ts'
import { createAccount } from '../support/vendors.ts'
import { consoleFetch, expectNoInternals, signInByLink } from './support.ts'

/** One amendment of a fresh account, run through the emulators until its ledger is quiet. */
async function runOne(overrides: Record<string, unknown> = {}) {
  const account = await createAccount()
  const event = amendmentEvent({
    Account_Id__c: account,
    Action__c: 'create',
    Price_Key__c: 'pro-monthly-usd',
    Quantity__c: 3,
    ...overrides,
  })
  expect((await postEvents([event])).status).toBe(200)
  await drain(account, 200)
  return { account, event, correlationId: event.Correlation_Id__c as string }
}

async function traceOf(correlationId: string): Promise<TraceResult> {
  const res = await operatorFetch(`/v1/trace/${encodeURIComponent(correlationId)}`, {
    token: TEST_VIEWER_TOKEN,
  })
  expect(res.status, await res.clone().text()).toBe(200)
  return await res.json<TraceResult>()
}

async function search(q: string): Promise<TraceMatch[]> {
  const res = await operatorFetch(`/v1/trace?q=${encodeURIComponent(q)}`)
  expect(res.status).toBe(200)
  return (await res.json<{ items: TraceMatch[] }>()).items
}

describe('GET /v1/trace/:correlationId', () => {
  it('shows the event, every step done, the vendor calls with their idempotency keys and what went back', async () => {
    const { account, event, correlationId } = await runOne()
    const result = await traceOf(correlationId)
    expect(result.accounts).toHaveLength(1)
    const [part] = result.accounts
    const a = part?.trace.amendments[0]
    expect(part?.trace.accountId).toBe(account)
    expect(a?.event).toMatchObject({ id: event.EventUuid, correlationId, quantity: 3 })
    expect(a?.detail.state).toBe('applied')
    expect(a?.steps.map((s) => [s.step, s.status])).toEqual([
      ['xref', 'done'],
      ['billing', 'done'],
      ['erp', 'done'],
      ['status', 'done'],
    ])
    const billing = a?.steps.find((s) => s.step === 'billing')
    expect(billing?.attempts.map((l) => l.action)).toEqual(['billed'])
    const write = billing?.calls.find((c) => c.method === 'POST')
    expect(write).toMatchObject({
      system: 'stripe',
      status: 200,
      idempotencyKey: `${String(event.EventUuid)}:billing`,
    })
    expect(write?.path).toMatch(/^\/v1\/subscriptions/)
    expect(write?.durationMs).toBeGreaterThanOrEqual(0)
    const erp = a?.steps.find((s) => s.step === 'erp')
    expect(erp?.calls.some((c) => c.system === 'netsuite' && c.status < 300)).toBe(true)
    expect(a?.writtenBack).toEqual([
      expect.objectContaining({
        object: 'Subscription_Sync__c',
        externalId: event.EventUuid,
        status: 'applied',
      }),
    ])
  })

  it('links the Salesforce account, the Stripe test dashboard and the NetSuite records', async () => {
    const { correlationId } = await runOne()
    const [part] = (await traceOf(correlationId)).accounts
    const { trace, links } = part ?? { trace: undefined, links: undefined }
    const ref = trace?.amendments[0]?.detail.billingRef ?? ''
    expect(links?.stripeCustomer).toBe(
      `https://dashboard.stripe.com/test/customers/${trace?.xref.billingCustomerId ?? ''}`,
    )
    expect(links?.stripeBilling?.[ref]).toMatch(
      /^https:\/\/dashboard\.stripe\.com\/test\/subscription(s|_schedules)\//,
    )
    expect(links?.salesforceAccount).toMatch(
      new RegExp(
        `^http://127\\.0\\.0\\.1:\\d+/lightning/r/Account/${trace?.accountId ?? ''}/view$`,
      ),
    )
    const erpRef = trace?.amendments[0]?.detail.erpRef ?? ''
    expect(links?.netsuiteOrders?.[erpRef]).toMatch(
      /^https:\/\/[0-9a-z-]+\.app\.netsuite\.com\/app\/accounting\/transactions\/salesord\.nl\?id=\d+$/,
    )
  })

  it('records the failed attempt and the calls of an amendment billing refuses', async () => {
    // A quantity change to a subscription billing has never seen: refused, so it parks.
    const { correlationId } = await runOne({ Action__c: 'change_quantity', Price_Key__c: null })
    const a = (await traceOf(correlationId)).accounts[0]?.trace.amendments[0]
    expect(a?.detail.state).toBe('parked')
    const current = a?.steps.find((s) => s.status === 'current')
    expect(current?.attempts.at(-1)?.action).toBe('parked')
    expect(current?.calls.length).toBeGreaterThan(0)
  })

  it('answers 404 for a correlation id nobody sent, and 401 without a token', async () => {
    const missing = await operatorFetch(`/v1/trace/${crypto.randomUUID()}`)
    expect(missing.status).toBe(404)
    expect((await expectSafeError(missing)).code).toBe('not_found')
    const bare = await consoleFetch(`/v1/trace/${crypto.randomUUID()}`)
    expect(bare.status).toBe(401)
  })
})

describe('GET /v1/trace?q=', () => {
  it('finds an amendment by its correlation id, EventUuid, account, Stripe and NetSuite ids', async () => {
    const { account, event, correlationId } = await runOne()
    const [part] = (await traceOf(correlationId)).accounts
    const detail = part?.trace.amendments[0]?.detail
    const keys = [
      correlationId,
      String(event.EventUuid),
      account,
      part?.trace.xref.billingCustomerId,
      part?.trace.xref.erpCustomerId,
      detail?.billingRef,
      detail?.erpRef,
      detail?.erpRef?.split(':')[1],
    ]
    for (const key of keys) {
      expect(key, 'every id is known').toBeTruthy()
      const found = await search(key ?? '')
      expect(
        found.map((m) => m.correlationId),
        `search by ${String(key)}`,
      ).toContain(correlationId)
    }
    expect(await search(`nothing-${crypto.randomUUID()}`)).toEqual([])
  })

  it('refuses an empty search with the field named', async () => {
    const res = await operatorFetch('/v1/trace?q=%20')
    expect(res.status).toBe(400)
    const body = await expectSafeError(res)
    expect(JSON.stringify(body.details)).toContain('give an id to search for')
  })
})

describe('console trace pages', () => {
  it('renders the trace, and a search with one match opens it', async () => {
    const { event, correlationId } = await runOne()
    const cookie = await signInByLink()
    const page = await consoleFetch(`/console/trace/${correlationId}`, { headers: { cookie } })
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain(`${String(event.EventUuid)}:billing`)
    expect(html).toContain('Vendor calls')
    expect(html).toContain('Subscription_Sync__c')
    expect(html).toContain('href="#main"')
    const found = await consoleFetch(`/console/trace?q=${String(event.EventUuid)}`, {
      headers: { cookie },
    })
    expect(found.status).toBe(303)
    expect(found.headers.get('location')).toBe(`/console/trace/${correlationId}`)
  })

  it('says nothing was found, as a page without internals', async () => {
    const cookie = await signInByLink()
    const res = await consoleFetch(`/console/trace?q=unknown-id`, { headers: { cookie } })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('Nothing is known by unknown-id.')
    const missing = await consoleFetch(`/console/trace/${crypto.randomUUID()}`, {
      headers: { cookie },
    })
    expect(missing.status).toBe(404)
    expectNoInternals(await missing.text())
  })
})
