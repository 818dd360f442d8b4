import { exports } from 'cloudflare:workers'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DoubleConnectors } from '../../doubles/connectors.ts'
import { newAccountId, useRecordSink } from '../support/helpers.ts'
import { useConnectorFactory } from '../support/wiring.ts'
import { deliver, stripeApi } from '../webhooks/support.ts'
import { Figures, fuzz, leakIn, quarantineRows, reasonOf } from './support.ts'
import { stripeSignatureAccepted, stripeSignatureHeader } from './stripe-signatures.ts'
import {
  MAX_WEBHOOK_BYTES,
  isStripeEvent,
  webhookRequest,
  type WebhookRequest,
} from './webhook-requests.ts'

const RUNS = 1_000
const OUTCOMES = ['queued', 'duplicate', 'unrouted', 'ignored']

const figures = new Figures()
let customers: string[] = []

beforeAll(async () => {
  const doubles = new DoubleConnectors()
  useConnectorFactory(() => doubles)
  useRecordSink(doubles.writer)
  // One customer linked to an account, so some events are routed to a ledger.
  const customer = await stripeApi<{ id: string }>('POST', '/v1/customers', {
    name: 'Fuzz Co',
    'metadata[sf_account_id]': newAccountId(),
  })
  customers = [customer.id]
})
afterAll(() => {
  useConnectorFactory()
  vi.restoreAllMocks()
})

function expectedStatus(req: WebhookRequest): number {
  if (new TextEncoder().encode(req.body.text).byteLength > MAX_WEBHOOK_BYTES) return 413
  if (!stripeSignatureAccepted(req.signature)) return 400
  return isStripeEvent(req.body.text) ? 200 : 400
}

/** Sends one generated webhook and checks the answer; throws what is wrong with it. */
async function check(req: WebhookRequest): Promise<void> {
  const signature = await stripeSignatureHeader(req.signature, req.body.text)
  const res = await exports.default.fetch('https://concord.test/v1/webhooks/stripe', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature === undefined ? {} : { 'stripe-signature': signature }),
    },
    body: req.body.text,
  })
  const text = await res.text()
  figures.count(res.status)
  figures.bodies++
  const fail = (why: string) =>
    new Error(`${why}\n→ ${res.status} ${text.slice(0, 600)}\n← ${req.body.text.slice(0, 600)}`)
  const leak = leakIn(text, req.body.text)
  if (leak) throw fail(leak)
  const expected = expectedStatus(req)
  if (res.status !== expected) throw fail(`expected ${expected} (signature ${req.signature.kind})`)
  if (res.status === 200) {
    const answer = JSON.parse(text) as { received?: boolean; outcome?: string }
    if (answer.received !== true || !OUTCOMES.includes(answer.outcome ?? ''))
      throw fail('an accepted event is answered without its outcome')
    return
  }
  const reason = reasonOf(text)
  if (!reason.ok) throw fail(reason.why)
  figures.refusals++
  // Refused deliveries are kept; one refused for its size is not read, so there is nothing to keep.
  if (res.status === 400) figures.quarantined++
}

describe('fuzz: POST /v1/webhooks/stripe', () => {
  it('answers every generated webhook without a 5xx, with a reason for each refusal, and keeps each refused delivery', async () => {
    const startedAt = Date.now()
    const before = await quarantineRows('stripe.webhook')
    await fuzz('webhooks', webhookRequest(customers), check, RUNS)
    const after = await quarantineRows('stripe.webhook')
    figures.print('webhooks', startedAt)
    expect(figures.serverErrors).toBe(0)
    expect(after.length - before.length).toBe(figures.quarantined)
    for (const row of after)
      expect((JSON.parse(row.reasons) as Array<{ message: string }>)[0]?.message).toBeTruthy()
  }, 240_000)

  it('still routes a good event after the fuzz', async () => {
    const event = {
      id: `evt_${crypto.randomUUID().replace(/-/g, '')}`,
      object: 'event',
      type: 'invoice.created',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'in_after_fuzz', customer: customers[0] } },
    }
    const res = await deliver(event)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ received: true, outcome: 'queued' })
  })
})
