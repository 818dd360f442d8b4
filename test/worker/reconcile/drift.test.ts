import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { DriftReport } from '../../../worker/reconcile/drift/types.ts'
import { operatorFetch } from '../support/helpers.ts'
import { createAccount, emulatorControl, vendors } from '../support/vendors.ts'
import { mirrorOf, reconcileAccount, settle, subscribedAccount } from './drift-support.ts'
import { stripeApi } from '../webhooks/support.ts'

type Json = Record<string, unknown>

afterEach(() => vi.restoreAllMocks())

/** Changes the seats in Stripe directly, as finance would in the dashboard. */
async function setSeatsInStripe(subscriptionId: string, quantity: number): Promise<void> {
  const sub = await stripeApi('GET', `/v1/subscriptions/${subscriptionId}`)
  const item = (sub.items as { data: Json[] }).data[0] as Json
  await stripeApi('POST', `/v1/subscriptions/${subscriptionId}`, {
    'items[0][id]': String(item.id),
    'items[0][quantity]': String(quantity),
    proration_behavior: 'none',
  })
}

const ofAccount = (report: DriftReport, account: string) =>
  report.findings.filter((f) => f.accountId === account)

describe('drift reconciler', () => {
  it('repairs a lost webhook by the next run: the mirror equals Stripe after exactly one write, and a second run changes nothing', async () => {
    const { account, key, subscriptionId } = await subscribedAccount()
    // No webhook reaches the worker in these tests unless one is delivered: the first run
    // catches up on every event of the account's saga (its invoices too).
    const first = await reconcileAccount(account)
    expect(ofAccount(first, account).some((f) => f.cause === 'lost_webhook')).toBe(true)
    await settle(account)
    const before = await mirrorOf(key)

    await setSeatsInStripe(subscriptionId, 3)
    const second = await reconcileAccount(account)
    const lost = ofAccount(second, account)
    expect(lost).toEqual([
      expect.objectContaining({
        object: 'event',
        cause: 'lost_webhook',
        action: 'repair_requested',
        detail: expect.stringContaining('customer.subscription.updated'),
      }),
      // The compare in the same run, before the ledger re-read: the mirror still lags.
      expect.objectContaining({
        object: 'subscription',
        id: subscriptionId,
        cause: 'stale_mirror',
        fields: [{ field: 'Quantity__c', salesforce: 5, billing: 3 }],
        detail: 'repaired by the re-read of the lost event found in this run',
      }),
    ])
    await settle(account)
    const after = await mirrorOf(key)
    expect(after).toMatchObject({
      Quantity__c: 3,
      External_Id__c: subscriptionId,
      Status__c: 'active',
    })
    expect(Number(after?._writes)).toBe(Number(before?._writes) + 1)

    const third = await reconcileAccount(account)
    expect(ofAccount(third, account)).toEqual([])
    await settle(account)
    expect((await mirrorOf(key))?._writes).toBe(after?._writes)
  })

  it('rewrites a Billing_Subscription__c quantity edited by hand, found by the sweep’s hand-edit query, once', async () => {
    const { account, key, subscriptionId } = await subscribedAccount()
    await emulatorControl(vendors().salesforceUrl, 'salesforce/put', {
      object: 'Billing_Subscription__c',
      externalIdField: 'Subscription_Key__c',
      records: [{ Subscription_Key__c: key, Quantity__c: 99 }],
      asUser: 'rep@concord.example',
    })
    const edited = await mirrorOf(key)
    expect(edited?.Quantity__c).toBe(99)

    const reconciler = env.RECONCILER.getByName(`edits-${crypto.randomUUID()}`)
    const sweep = async () => {
      const run = await reconciler.run({ trigger: 'schedule', repair: true, parts: ['edits'] })
      if (run.status !== 'done') throw new Error(`reconciler answered ${run.status}`)
      return run.report
    }
    const first = await sweep()
    expect(ofAccount(first, account)).toEqual([
      expect.objectContaining({
        id: subscriptionId,
        cause: 'hand_edit',
        action: 'repair_requested',
        fields: [{ field: 'Quantity__c', salesforce: 99, billing: 5 }],
      }),
    ])
    // One query for the edited rows of each mirror object (subscriptions, invoices, payments),
    // one to learn who the integration user is.
    expect(first.calls.salesforce).toBe(4)
    await settle(account)
    const repaired = await mirrorOf(key)
    expect(repaired).toMatchObject({ Quantity__c: 5, External_Id__c: subscriptionId })
    expect(Number(repaired?._writes)).toBe(Number(edited?._writes) + 1)
    expect(repaired?.LastModifiedById).not.toBe(edited?.LastModifiedById)

    // Concord's own rewrite is not a hand edit: the next sweep finds nothing and writes nothing.
    const second = await sweep()
    expect(ofAccount(second, account)).toEqual([])
    expect(second.calls.salesforce).toBe(3)
    await settle(account)
    expect((await mirrorOf(key))?._writes).toBe(repaired?._writes)
  })

  it('raises a subscription with no Salesforce counterpart as an exception, once, and reports without repairing when asked to', async () => {
    const { account, customerId } = await subscribedAccount()
    const stray = await stripeApi('POST', '/v1/subscriptions', {
      customer: customerId,
      'items[0][price]': 'price_pro_monthly_usd',
      'items[0][quantity]': '2',
      collection_method: 'send_invoice',
      days_until_due: '30',
    })
    const dry = await reconcileAccount(account, false)
    expect(dry.repair).toBe(false)
    expect(ofAccount(dry, account).filter((f) => f.action === 'repair_requested')).toEqual([])
    expect(ofAccount(dry, account)).toContainEqual(
      expect.objectContaining({ id: stray.id, cause: 'unowned_subscription', action: 'exception' }),
    )
    const raised = async () => {
      const res = await operatorFetch(`/v1/exceptions?accountId=${account}`)
      const body = await res.json<{ items: Array<{ id: string; kind: string }> }>()
      return body.items.filter((e) => e.kind === 'drift')
    }
    // A person decides (nothing to retry): in the queue as a data fix, findable by the Stripe id.
    expect(await raised()).toEqual([
      expect.objectContaining({
        id: `drift:unowned_subscription:${String(stray.id)}`,
        code: 'drift_unowned_subscription',
        category: 'needs_data_fix',
        system: 'stripe',
        ids: expect.objectContaining({ stripe: [stray.id] }) as unknown,
      }),
    ])
    await reconcileAccount(account)
    await settle(account)
    expect(await raised()).toHaveLength(1)
  })

  it('reports the calls it made per system, as counted on the wire', async () => {
    const { account } = await subscribedAccount()
    const { stripeUrl, salesforceUrl, netsuiteUrl } = vendors()
    const seen = { stripe: 0, salesforce: 0, netsuite: 0 }
    const real = globalThis.fetch
    vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      const url = input instanceof Request ? input.url : input.toString()
      if (url.startsWith(stripeUrl)) seen.stripe++
      if (url.startsWith(salesforceUrl) && !url.includes('/oauth2/token')) seen.salesforce++
      if (url.startsWith(netsuiteUrl)) seen.netsuite++
      return real(input, init)
    })
    const report = await reconcileAccount(account, false)
    vi.restoreAllMocks()
    expect(report.calls.stripe).toBe(seen.stripe)
    expect(report.calls.salesforce).toBe(seen.salesforce)
    expect(report.calls.netsuite).toBe(seen.netsuite)
    // Events pages, the customer's subscriptions, a page of its invoices and one of its charges;
    // the account's mirrors in one query (and its invoices and payments, once there are any);
    // its sales orders in one SuiteQL page.
    expect(report.calls.stripe).toBeGreaterThanOrEqual(4)
    expect(report.calls.salesforce).toBeGreaterThanOrEqual(1)
    expect(report.calls.netsuite).toBeGreaterThanOrEqual(1)
    expect(report.checked).toMatchObject({ accounts: 1, subscriptions: 1, erpOrders: 1 })

    const listed = await operatorFetch('/v1/reconcile?limit=1')
    expect((await listed.json<{ items: DriftReport[] }>()).items[0]?.runId).toBe(report.runId)
  })

  it('is kicked by the cron into a sweep every third of the repair window', async () => {
    const reconciler = env.RECONCILER.getByName(`cadence-${crypto.randomUUID()}`)
    const alarmAt = () => runInDurableObject(reconciler, (_o, state) => state.storage.getAlarm())
    const swept = Date.now()
    const run = await reconciler.run({ trigger: 'schedule', repair: true, parts: ['edits'] })
    expect(run.status).toBe('done')
    await reconciler.kick()
    const next = (await alarmAt()) ?? 0
    await runInDurableObject(reconciler, (_o, state) => state.storage.deleteAlarm())
    expect(next - swept).toBeGreaterThanOrEqual(5 * 60_000 - 1_000)
    expect(next - swept).toBeLessThanOrEqual(5 * 60_000 + 60_000)
  })

  it('refuses an account with no billing customer, naming the problem', async () => {
    const res = await operatorFetch('/v1/reconcile', {
      method: 'POST',
      body: JSON.stringify({ accountId: await createAccount() }),
    })
    expect(res.status).toBe(400)
    const bad = await operatorFetch('/v1/reconcile', {
      method: 'POST',
      body: JSON.stringify({ accountId: 'nope' }),
    })
    expect(bad.status).toBe(400)
  })
})
