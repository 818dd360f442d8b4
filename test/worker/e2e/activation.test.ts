import { runInDurableObject } from 'cloudflare:test'
import { exports } from 'cloudflare:workers'
import { signRequest } from '../../../worker/lib/signature.ts'
import { afterEach, describe, expect, it } from 'vitest'
import type { ActivationView } from '../../../worker/ledger/activation.ts'
import { ProvisioningReceiver } from '../../support/provisioning-receiver.ts'
import { until } from '../../support/poll.ts'
import {
  amendmentEvent,
  drain,
  drainWriter,
  expectSafeError,
  ledger,
  operatorFetch,
  postEvents,
} from '../support/helpers.ts'
import { TEST_EVENTS_SECRET, TEST_PROVISIONING_SECRET } from '../support/test-config.ts'
import { consoleFetch, csrfIn, form, signInByLink } from '../console/support.ts'
import { createAccount, salesforceEffects, salesforceRecords, vendors } from '../support/vendors.ts'
import { PROVISIONING, useProvisioningFetch } from '../support/wiring.ts'
import { deliver, eventsOf, stripeApi, stripeControl } from '../webhooks/support.ts'

type Json = Record<string, unknown>

afterEach(() => useProvisioningFetch(undefined))

/** A create of a new subscription of `account` with the given rule. */
function create(account: string, rule: string | null) {
  return amendmentEvent({
    Account_Id__c: account,
    Subscription_Key__c: `SUB-ACT-${crypto.randomUUID().slice(0, 8)}`,
    Quantity__c: 2,
    Activation_Rule__c: rule,
    CreatedDate: new Date(Date.now() - 2_000).toISOString(),
  })
}

const keyOf = (e: Json) => e.Subscription_Key__c as string

/** The ledger goes away with its memory: only what it stored remains. */
async function restart(account: string): Promise<void> {
  await expect(
    runInDurableObject(ledger(account), (_, state) => state.abort('restart')),
  ).rejects.toThrow()
}

async function settle(account: string): Promise<void> {
  await drain(account, 500)
  await drainWriter()
}

const activation = (account: string, key: string) =>
  ledger(account).activation(key) as Promise<ActivationView | undefined>

/** `Concord_Activation__e` published for `key` (the Salesforce emulator's effects). */
async function published(key: string): Promise<number> {
  const effects = await salesforceEffects()
  const uuids = effects
    .filter((e) => e.kind === 'event.publish.Concord_Activation__e')
    .map((e) => e.target)
  const res = await fetch(`${vendors().salesforceUrl}/__control/salesforce/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel: '/event/Concord_Activation__e' }),
  })
  const events = await res.json<{ events: Array<{ uuid: string; fields: Json }> }>()
  return events.events.filter((e) => uuids.includes(e.uuid) && e.fields.Subscription_Key__c === key)
    .length
}

async function mirrorOf(key: string): Promise<Json | undefined> {
  return (await salesforceRecords('Billing_Subscription__c')).find(
    (r) => r.Subscription_Key__c === key,
  )
}

/** Delivers every Stripe event about `customerId` to the worker, `times` over. */
async function deliverAll(customerId: string, times = 1): Promise<void> {
  const events = await eventsOf(customerId, new Set())
  for (let i = 0; i < times; i++) for (const e of events) await deliver(e)
}

describe('Activation: on_create', () => {
  it('activates once billing and ERP applied: the time on the mirror, one platform event, one signed webhook', async () => {
    const account = await createAccount()
    const event = create(account, 'on_create')
    await postEvents([event])
    await settle(account)
    const view = await activation(account, keyOf(event))
    expect(view).toMatchObject({ rule: 'on_create', correlationId: event.Correlation_Id__c })
    expect(view?.activatedAt).toBeDefined()
    expect(view?.deliveries).toEqual([
      { channel: 'salesforce', state: 'sent', attempts: 0 },
      { channel: 'webhook', state: 'sent', attempts: 1 },
    ])
    const mirror = await mirrorOf(keyOf(event))
    expect(mirror?.Activation_Rule__c).toBe('on_create')
    expect(Date.parse(String(mirror?.Activated_At__c))).toBe(Date.parse(view?.activatedAt ?? ''))
    expect(await published(keyOf(event))).toBe(1)
    expect(PROVISIONING.activationsOf(keyOf(event))).toBe(1)
    const taken = PROVISIONING.activated.get(view?.activationId ?? '')
    expect(taken?.body).toMatchObject({
      id: view?.activationId,
      type: 'subscription.activated',
      data: { subscriptionKey: keyOf(event), accountId: account, rule: 'on_create' },
    })
  })

  it('takes the configured default (on_create) when the create names no rule', async () => {
    const account = await createAccount()
    const event = create(account, null)
    await postEvents([event])
    await settle(account)
    expect(await activation(account, keyOf(event))).toMatchObject({ rule: 'on_create' })
    expect(PROVISIONING.activationsOf(keyOf(event))).toBe(1)
  })

  it('quarantines a create with an unknown rule, naming the field', async () => {
    const account = await createAccount()
    const res = await postEvents([create(account, 'when_ready')])
    const body = await res.json<{ results: Array<{ status: string; errors?: Json[] }> }>()
    expect(body.results[0]?.status).toBe('rejected')
    expect(JSON.stringify(body.results[0]?.errors)).toContain('Activation_Rule__c')
  })
})

describe('Activation: on_first_invoice_paid', () => {
  it('never activates on a failed first payment, then activates once when a later payment succeeds, whatever webhooks repeat', async () => {
    const account = await createAccount()
    const customer = await stripeApi('POST', '/v1/customers', {
      name: 'Declines first',
      'metadata[sf_account_id]': account,
    })
    const customerId = String(customer.id)
    await stripeControl('auto_pay', { mode: 'fail', customer: customerId })
    const event = create(account, 'on_first_invoice_paid')
    await postEvents([event])
    await settle(account)
    await deliverAll(customerId, 2)
    await settle(account)
    const before = await activation(account, keyOf(event))
    expect(before?.billingSubscriptionId).toMatch(/^sub_/)
    expect(before?.activatedAt).toBeUndefined()
    const subscription = await stripeApi(
      'GET',
      `/v1/subscriptions/${before?.billingSubscriptionId}`,
    )
    const invoiceId = String(subscription.latest_invoice)
    const unpaid = (await salesforceRecords('Billing_Invoice__c')).find(
      (r) => r.External_Id__c === invoiceId,
    )
    expect(unpaid?.Status__c).toBe('open')
    expect(PROVISIONING.activationsOf(keyOf(event))).toBe(0)

    await stripeControl('auto_pay', { mode: 'succeed', customer: customerId })
    await stripeControl('pay_invoice', { invoice: invoiceId })
    await deliverAll(customerId, 3)
    await settle(account)
    const after = await activation(account, keyOf(event))
    expect(after?.activatedAt).toBeDefined()
    expect(PROVISIONING.activationsOf(keyOf(event))).toBe(1)
    expect(await published(keyOf(event))).toBe(1)

    // Late duplicates and a restart change nothing.
    await restart(account)
    await deliverAll(customerId, 2)
    await settle(account)
    expect((await activation(account, keyOf(event)))?.activatedAt).toBe(after?.activatedAt)
    expect(PROVISIONING.activationsOf(keyOf(event))).toBe(1)
    expect(PROVISIONING.attempts.filter((a) => a.id === after?.activationId)).toHaveLength(1)
    expect(await published(keyOf(event))).toBe(1)
  }, 60_000)
})

describe('POST /v1/activations (manual)', () => {
  const ask = (body: Json) =>
    operatorFetch('/v1/activations', { method: 'POST', body: JSON.stringify(body) })

  it('is refused before billing has the subscription, then activates once when asked', async () => {
    const account = await createAccount()
    const event = create(account, 'manual')
    await postEvents([event])
    const early = await ask({ accountId: account, subscriptionKey: keyOf(event) })
    expect(early.status).toBe(409)
    expect((await expectSafeError(early)).code).toBe('not_in_billing')

    await settle(account)
    expect((await activation(account, keyOf(event)))?.activatedAt).toBeUndefined()
    const asked = await ask({ accountId: account, subscriptionKey: keyOf(event) })
    expect(asked.status).toBe(202)
    expect((await asked.json<{ status: string }>()).status).toBe('requested')
    const again = await ask({ accountId: account, subscriptionKey: keyOf(event) })
    // The ledger's own alarm may have run in between.
    expect(['already_requested', 'already_activated']).toContain(
      (await again.json<{ status: string }>()).status,
    )
    await settle(account)
    const view = await activation(account, keyOf(event))
    expect(view).toMatchObject({ rule: 'manual', requestedBy: 'ops-alice' })
    expect(view?.activatedAt).toBeDefined()
    const late = await ask({ accountId: account, subscriptionKey: keyOf(event) })
    expect((await late.json<{ status: string }>()).status).toBe('already_activated')
    await settle(account)
    expect(PROVISIONING.activationsOf(keyOf(event))).toBe(1)
    expect(await published(keyOf(event))).toBe(1)

    const read = await operatorFetch(`/v1/activations/${account}/${keyOf(event)}`)
    expect(await read.json()).toMatchObject({ activatedAt: view?.activatedAt })
  })

  it('refuses a subscription of another rule, and answers 404 for one it does not know', async () => {
    const account = await createAccount()
    const event = create(account, 'on_first_invoice_paid')
    await postEvents([event])
    await settle(account)
    const other = await ask({ accountId: account, subscriptionKey: keyOf(event) })
    expect(other.status).toBe(409)
    expect((await expectSafeError(other)).code).toBe('not_manual')
    const unknown = await ask({ accountId: account, subscriptionKey: 'SUB-NOPE' })
    expect(unknown.status).toBe(404)
    const bad = await ask({ accountId: 'nope', subscriptionKey: '' })
    expect(bad.status).toBe(400)
  })
})

describe('POST /v1/salesforce/activations (manual, from Salesforce)', () => {
  const REP = '005Hs00000RepAbIAB'
  /** Signed as Apex signs (`WorkerClient`); `secret` null sends no signature. */
  async function ask(body: Json, secret: string | null = TEST_EVENTS_SECRET) {
    const text = JSON.stringify(body)
    const target = '/v1/salesforce/activations'
    const signed = secret ? await signRequest(secret, { method: 'POST', target, body: text }) : {}
    return exports.default.fetch(`https://concord.test${target}`, {
      method: 'POST',
      headers: { ...signed, 'content-type': 'application/json' },
      body: text,
    })
  }

  it('activates a manual subscription once, recorded as asked by the Salesforce user', async () => {
    const account = await createAccount()
    const event = create(account, 'manual')
    await postEvents([event])
    const body = { accountId: account, subscriptionKey: keyOf(event), requestedBy: REP }
    const early = await ask(body)
    expect(early.status).toBe(409)
    expect((await expectSafeError(early)).code).toBe('not_in_billing')

    await settle(account)
    const asked = await ask(body)
    expect(asked.status).toBe(202)
    expect(await asked.json()).toMatchObject({
      status: 'requested',
      activation: { rule: 'manual', requestedBy: `salesforce:${REP}` },
    })
    await settle(account)
    const view = await activation(account, keyOf(event))
    expect(view).toMatchObject({ requestedBy: `salesforce:${REP}` })
    expect(view?.activatedAt).toBeDefined()
    const late = await ask(body)
    expect((await late.json<{ status: string }>()).status).toBe('already_activated')
    await settle(account)
    expect(PROVISIONING.activationsOf(keyOf(event))).toBe(1)
    expect(await published(keyOf(event))).toBe(1)
  })

  it('refuses an unsigned or wrongly signed ask, another rule, and an ask naming no user', async () => {
    const account = await createAccount()
    const event = create(account, 'on_first_invoice_paid')
    await postEvents([event])
    await settle(account)
    const body = { accountId: account, subscriptionKey: keyOf(event), requestedBy: REP }
    expect((await ask(body, null)).status).toBe(401)
    expect((await ask(body, 'another-secret-0123456789abcdef-0123456789')).status).toBe(401)
    const other = await ask(body)
    expect(other.status).toBe(409)
    expect((await expectSafeError(other)).code).toBe('not_manual')
    const anonymous = await ask({ accountId: account, subscriptionKey: keyOf(event) })
    expect(anonymous.status).toBe(400)
    expect(JSON.stringify(await expectSafeError(anonymous))).toContain('requestedBy')
    expect((await activation(account, keyOf(event)))?.requestedBy).toBeUndefined()
  })
})

describe('Activation webhook delivery', () => {
  it('retries a failing receiver and delivers once, across a restart of the ledger', async () => {
    PROVISIONING.failNext(503)
    const account = await createAccount()
    const event = create(account, 'on_create')
    await postEvents([event])
    await settle(account)
    const first = await activation(account, keyOf(event))
    expect(first?.deliveries.find((d) => d.channel === 'webhook')).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastError: 'http_503: the webhook answered 503',
    })
    await restart(account)
    await until('the retried webhook to be taken', async () => {
      await drain(account, 500)
      return PROVISIONING.activationsOf(keyOf(event)) === 1
    })
    const done = await activation(account, keyOf(event))
    expect(done?.activatedAt).toBe(first?.activatedAt)
    expect(done?.deliveries.find((d) => d.channel === 'webhook')?.state).toBe('sent')
    expect(PROVISIONING.attempts.filter((a) => a.id === done?.activationId)).toHaveLength(2)
  }, 60_000)

  it('parks a refused delivery in the work queue; asking again sends it with the same id', async () => {
    const wrongKey = new ProvisioningReceiver('another-secret-than-concords-0123456789')
    useProvisioningFetch(wrongKey.fetch)
    const account = await createAccount()
    const event = create(account, 'on_create')
    await postEvents([event])
    await settle(account)
    expect(wrongKey.attempts.map((a) => a.reason)).toEqual(['bad signature'])
    const parked = await activation(account, keyOf(event))
    expect(parked?.deliveries.find((d) => d.channel === 'webhook')).toMatchObject({
      state: 'parked',
      lastError: 'http_401: the webhook answered 401',
    })
    const queue = async () =>
      (
        await (
          await operatorFetch(`/v1/exceptions?accountId=${account}&system=worker`)
        ).json<{ items: Array<{ kind: string; id: string; code: string }> }>()
      ).items.filter((i) => i.kind === 'activation')
    expect(await queue()).toEqual([
      expect.objectContaining({ id: `activation:${keyOf(event)}`, code: 'http_401' }),
    ])

    useProvisioningFetch(undefined)
    const again = await operatorFetch('/v1/activations', {
      method: 'POST',
      body: JSON.stringify({ accountId: account, subscriptionKey: keyOf(event) }),
    })
    expect((await again.json<{ status: string }>()).status).toBe('redelivering')
    await settle(account)
    expect(PROVISIONING.activated.get(parked?.activationId ?? '')?.subscriptionKey).toBe(
      keyOf(event),
    )
    expect(PROVISIONING.activationsOf(keyOf(event))).toBe(1)
    expect(await queue()).toEqual([])
    expect((await activation(account, keyOf(event)))?.activatedAt).toBe(parked?.activatedAt)
  })
})

describe('console: a parked activation webhook', () => {
  it('shows it in the work queue with a Send again button that sends it with the same id', async () => {
    const refusing = new ProvisioningReceiver(TEST_PROVISIONING_SECRET)
    refusing.failNext(410)
    useProvisioningFetch(refusing.fetch)
    const account = await createAccount()
    const event = create(account, 'on_create')
    await postEvents([event])
    await settle(account)
    const parked = await activation(account, keyOf(event))
    const cookie = await signInByLink()
    const html = await (
      await consoleFetch(`/console/exceptions?q=${keyOf(event)}`, { headers: { cookie } })
    ).text()
    const action = `/console/exceptions/activations/${account}/${keyOf(event)}/redeliver`
    expect(html).toContain(`action="${action}"`)
    const res = await consoleFetch(action, form({ _csrf: csrfIn(html) }, { cookie }))
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/console/exceptions?done=redeliver')
    await settle(account)
    expect(refusing.activated.get(parked?.activationId ?? '')?.subscriptionKey).toBe(keyOf(event))
    expect(refusing.attempts.map((a) => a.status)).toEqual([410, 200])
  })
})

describe('ProvisioningReceiver (the test receiver)', () => {
  const post = async (r: ProvisioningReceiver, headers: Record<string, string>, body = '{}') =>
    (await r.fetch('https://provisioning.test/', { method: 'POST', headers, body })).status

  it('refuses a missing, wrong or stale signature and takes a valid one once per id', async () => {
    const { signWebhook } = await import('../../../worker/connectors/signed-webhook.ts')
    const r = new ProvisioningReceiver(TEST_PROVISIONING_SECRET)
    const now = String(Math.floor(Date.now() / 1000))
    const body = JSON.stringify({ id: 'a1', data: { subscriptionKey: 'SUB-1', rule: 'manual' } })
    const signed = async (t: string, secret = TEST_PROVISIONING_SECRET) => ({
      'x-concord-activation-id': 'a1',
      'x-concord-activation-timestamp': t,
      'x-concord-activation-signature': await signWebhook(secret, t, body),
    })
    expect(await post(r, {}, body)).toBe(401)
    expect(await post(r, await signed(now, 'not-the-secret-at-all-0123456789abcdef'), body)).toBe(
      401,
    )
    expect(await post(r, await signed(String(Number(now) - 600)), body)).toBe(401)
    expect(await post(r, await signed(now), `${body} `)).toBe(401)
    expect(await post(r, await signed(now), body)).toBe(200)
    expect(await post(r, await signed(now), body)).toBe(200)
    expect(r.activated.size).toBe(1)
    expect(r.attempts.map((a) => a.reason)).toEqual([
      'no timestamp',
      'bad signature',
      'stale timestamp',
      'bad signature',
      undefined,
      undefined,
    ])
  })
})
