import { percentile } from './report.ts'
import type { BenchStack } from './stack.ts'
import {
  countDelta,
  salesforceEffectCounts,
  salesforceRecords,
  salesforceRequests,
  salesforceState,
  stripeApi,
  stripeControl,
  stripeDeliveries,
  writerStatus,
} from './vendors-api.ts'
import { addWebhookEndpoint, linkedAccounts, subscribe } from './world.ts'

/**
 * What the bench's Stripe endpoint subscribes to: the events that change a document's or a
 * subscription's state. Concord re-reads the document whatever the event says, so the companions
 * Stripe sends with each (`invoice.updated`, `invoice.payment_succeeded`, `invoice_payment.paid`,
 * `charge.succeeded`) would only repeat the same re-read.
 */
export const LATENCY_EVENTS = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.finalized',
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice.overdue',
  'charge.refunded',
  'credit_note.created',
  'credit_note.voided',
]

export interface LatencyOptions {
  accounts: number
  samples: number
  /** Invoices paid per second. */
  ratePerS: number
  pollMs: number
  timeoutMs: number
  log: (line: string) => void
}

export interface LatencyResult {
  samples: number
  measured: number
  accounts: number
  p50Ms?: number
  p99Ms?: number
  minMs?: number
  maxMs?: number
  meanMs?: number
  pollMs: number
  /** Mean round trip of one poll of the Salesforce emulator's control API. */
  pollRoundTripMs: number
  /** Webhook delivery attempts during the measurement, and how many were not answered 2xx. */
  deliveries: number
  failedAttempts: number
  apiCalls: number
  recordWrites: number
  complete: boolean
  /** Requests per Salesforce emulator route meanwhile (token, composite, …), to explain the calls. */
  salesforceRequests: Record<string, number>
  /** The writer once the run settled: anything still pending or parked would be a finding. */
  writer: { pending: number; parked: number }
}

const RECORD_WRITE =
  /^(Billing_Invoice__c|Billing_Payment__c|Billing_Subscription__c|Account)\.(create|update)$/
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const writes = (counts: Record<string, number>) =>
  Object.entries(counts).reduce((n, [k, v]) => (RECORD_WRITE.test(k) ? n + v : n), 0)

async function settle(
  stack: BenchStack,
  done: () => Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    const queue = await stripeDeliveries(stack)
    const writer = await writerStatus(stack)
    if (queue.pending.length === 0 && writer.pending === 0 && writer.hints === 0 && (await done()))
      return true
    await sleep(250)
  }
  return false
}

/**
 * Part 2. Opens one invoice per sample (send_invoice, so it waits for the customer) and lets the
 * Stripe emulator deliver their webhooks until Salesforce shows them all open. Then pays them at
 * `ratePerS`; the emulator delivers each `invoice.paid` to the worker and logs when the request
 * left, while a poller reads `Billing_Invoice__c` from the Salesforce control API every `pollMs`
 * and notes when each invoice first shows `paid`. Latency = first seen − webhook sent.
 * @throws Error when the setup's invoices don't all reach Salesforce in time.
 */
export async function runLatency(stack: BenchStack, opts: LatencyOptions): Promise<LatencyResult> {
  const linked = await linkedAccounts(stack, Math.min(opts.accounts, opts.samples), 'L')
  await addWebhookEndpoint(stack, LATENCY_EVENTS)
  const invoices: string[] = []
  for (let i = 0; i < opts.samples; i++)
    invoices.push(
      String(
        (
          await subscribe(stack, linked.customers[i % linked.customers.length] as string, {
            sendInvoice: true,
          })
        ).latest_invoice,
      ),
    )
  const open = async () => {
    const rows = await salesforceRecords(stack, 'Billing_Invoice__c')
    const mirrored = new Set(
      rows.filter((r) => r.Status__c === 'open').map((r) => String(r.External_Id__c)),
    )
    return invoices.every((id) => mirrored.has(id))
  }
  if (!(await settle(stack, open, opts.timeoutMs)))
    throw new Error('latency setup: the open invoices did not all reach Salesforce in time')
  opts.log(
    `${invoices.length} open invoices over ${linked.accounts.length} accounts mirrored; paying them at ${opts.ratePerS}/s`,
  )

  const before = {
    state: await salesforceState(stack),
    effects: await salesforceEffectCounts(stack),
    requests: await salesforceRequests(stack),
    deliveries: (await stripeDeliveries(stack)).deliveries.length,
  }
  const wanted = new Set(invoices)
  const seen = new Map<string, number>()
  const pollTimes: number[] = []
  let polling = true
  const poller = (async () => {
    while (polling) {
      const sent = Date.now()
      const rows = await salesforceRecords(stack, 'Billing_Invoice__c')
      const at = Date.now()
      pollTimes.push(at - sent)
      for (const r of rows) {
        const id = String(r.External_Id__c)
        if (r.Status__c === 'paid' && wanted.has(id) && !seen.has(id)) seen.set(id, at)
      }
      await sleep(Math.max(0, opts.pollMs - (at - sent)))
    }
  })()
  const started = Date.now()
  for (const [i, invoice] of invoices.entries()) {
    await stripeControl(stack, 'pay_invoice', { invoice })
    await sleep(started + ((i + 1) * 1000) / opts.ratePerS - Date.now())
  }
  const deadline = Date.now() + opts.timeoutMs
  while (seen.size < invoices.length && Date.now() < deadline) await sleep(opts.pollMs)
  polling = false
  await poller
  await settle(stack, () => Promise.resolve(true), 10_000)

  const after = {
    state: await salesforceState(stack),
    effects: await salesforceEffectCounts(stack),
    requests: await salesforceRequests(stack),
    writer: await writerStatus(stack),
  }
  const log = (await stripeDeliveries(stack)).deliveries.slice(before.deliveries)
  const sentAt = new Map<string, number>()
  for (const d of log.filter((d) => d.type === 'invoice.paid' && d.attempt === 1 && !d.duplicate)) {
    const event = await stripeApi<{ data: { object: { id: string } } }>(
      stack,
      'GET',
      `/v1/events/${d.eventId}`,
    )
    sentAt.set(event.data.object.id, d.at)
  }
  const latencies = invoices.flatMap((id) => {
    const s = sentAt.get(id)
    const t = seen.get(id)
    return s !== undefined && t !== undefined ? [t - s] : []
  })
  return {
    samples: invoices.length,
    measured: latencies.length,
    accounts: linked.accounts.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    minMs: percentile(latencies, 0),
    maxMs: percentile(latencies, 100),
    meanMs: latencies.length
      ? Math.round(latencies.reduce((a, b) => a + b, 0) / latencies.length)
      : undefined,
    pollMs: opts.pollMs,
    pollRoundTripMs: pollTimes.length
      ? Math.round((pollTimes.reduce((a, b) => a + b, 0) / pollTimes.length) * 10) / 10
      : 0,
    deliveries: log.length,
    failedAttempts: log.filter((d) => !d.ok).length,
    apiCalls: after.state.apiTotal - before.state.apiTotal,
    recordWrites: writes(after.effects) - writes(before.effects),
    complete: latencies.length === invoices.length,
    salesforceRequests: countDelta(before.requests, after.requests),
    writer: { pending: after.writer.pending, parked: after.writer.parked.length },
  }
}
