import { availableParallelism, loadavg } from 'node:os'
import Stripe from 'stripe'
import type { StripeEvent } from '../emulators/stripe/types/core.ts'
import type { VendorStack } from '../stack/vendors.ts'
import { callCounts, callsBetween, type VendorCalls } from './amendment-watch.ts'
import { cpuBetween, cpuMsPer, readCpu, type CpuReading } from './cpu.ts'
import { per1000, percentile } from './report.ts'
import type { BenchStack } from './stack.ts'
import { writerStatus } from './vendors-api.ts'
import { invoiceOf, schedule, type WebhookWorld } from './webhook-world.ts'

const INVOICE = 'Billing_Invoice__c'
const MAX_IN_FLIGHT = 256
const RETRY_MS = 500
const MAX_ATTEMPTS = 5
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Percentiles of a list of milliseconds. */
export interface Spread {
  n: number
  p50?: number
  p95?: number
  p99?: number
  max?: number
}

const spread = (xs: number[]): Spread => ({
  n: xs.length,
  p50: percentile(xs, 50),
  p95: percentile(xs, 95),
  p99: percentile(xs, 99),
  max: percentile(xs, 100),
})

export interface RateResult {
  targetPerS: number
  /** `GET /healthz` answered per second on the same stack just before: what the machine allowed. */
  ceilingPerS: number
  accounts: number
  deliveries: number
  distinctEvents: number
  invoices: number
  /** Deliveries answered 2xx per second, first send → last 2xx. */
  acceptedPerS: number
  /** How far behind its schedule the sender fell at worst (in-flight cap reached), ms. */
  sendLagMaxMs: number
  failedAttempts: number
  unaccepted: number
  ack: Spread
  /** Per invoice: arrival of its first event → the Salesforce emulator's commit of its `paid` record. */
  toSalesforce: Spread
  invoicesNotWritten: number
  calls: VendorCalls
  stripeReadsPer1000: number | undefined
  salesforceCallsPer1000: number | undefined
  load: { before: number[]; after: number[] }
  cpu: CpuFigures
}

/** CPU per unit of work of the worker's processes (`cpu.ts`): independent of the machine's load. */
export interface CpuFigures {
  /** ms of CPU per `GET /healthz`, by process name (`workerd`, `node` = wrangler). */
  healthzMs: Record<string, number | undefined>
  /** ms of CPU per delivery from the first send to the last 2xx (taking events in). */
  ackMs: Record<string, number | undefined>
  /** ms of CPU per delivery from the first send until Salesforce shows every invoice (all work). */
  totalMs: Record<string, number | undefined>
  /** ms of this process's CPU (the emulators and the sender) per delivery, over the same span. */
  benchMs: number | undefined
  /** The worker's processes' CPU seconds in each span, as measured. */
  seconds: { healthz: CpuReading; ack: CpuReading; total: CpuReading }
  /** This machine's cores: the ceiling is cores × 1,000 / (CPU ms per delivery). */
  cores: number
}

function perUnit(r: CpuReading, units: number): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {}
  let sum = 0
  for (const [name, s] of Object.entries(r.byName)) {
    out[name] = cpuMsPer(s, units)
    sum += s
  }
  out.all = cpuMsPer(sum, units)
  return out
}

/**
 * First commit time of each invoice's Salesforce record, from the emulator's own ledger of
 * writes (it runs in this process: reading it is no API call). The run's invoices are paid in
 * Stripe before their first event is sent, so the first write of a record is the `paid` one;
 * the final state is checked anyway.
 */
class FirstWrites {
  readonly at = new Map<string, number>()
  private cursor: number
  private readonly vendors: VendorStack

  constructor(vendors: VendorStack) {
    this.vendors = vendors
    this.cursor = vendors.salesforce.effects.all().length
  }

  look(): void {
    const all = this.vendors.salesforce.effects.all()
    const table = this.vendors.salesforce.sf.org.store.table(INVOICE)
    for (const e of all.slice(this.cursor)) {
      const id = e.detail?.id
      if (!e.kind.startsWith(`${INVOICE}.`) || typeof id !== 'string') continue
      const key = table.get(id)?.values.External_Id__c
      if (typeof key === 'string' && !this.at.has(key)) this.at.set(key, Date.parse(e.at))
    }
    this.cursor = all.length
  }

  paid(): Set<string> {
    const rows = [...this.vendors.salesforce.sf.org.store.table(INVOICE).values()]
    return new Set(
      rows.filter((r) => r.values.Status__c === 'paid').map((r) => String(r.values.External_Id__c)),
    )
  }
}

async function deliver(
  url: string,
  secret: string,
  event: StripeEvent,
  stripe: Stripe,
): Promise<{ ok: boolean; attempts: number; ackMs: number }> {
  const payload = JSON.stringify(event)
  const sent = Date.now()
  for (let attempt = 1; ; attempt++) {
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret })
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
        body: payload,
      })
      await res.arrayBuffer()
      if (res.ok) return { ok: true, attempts: attempt, ackMs: Date.now() - sent }
    } catch {
      // Refused or reset under load: Stripe retries, and so does the bench.
    }
    if (attempt >= MAX_ATTEMPTS) return { ok: false, attempts: attempt, ackMs: Date.now() - sent }
    await sleep(RETRY_MS)
  }
}

/**
 * The stack's ceiling at this moment: `GET /healthz` (no Durable Object, no vendor) answered per
 * second with `MAX_IN_FLIGHT` requests open. On a shared machine the webhook figures only mean
 * something beside it.
 */
export async function healthzPerS(stack: BenchStack, n = 1_000): Promise<number> {
  let next = 0
  const started = Date.now()
  const lane = async () => {
    while (next++ < n) await (await fetch(`${stack.workerUrl}/healthz`)).arrayBuffer()
  }
  await Promise.all(Array.from({ length: Math.min(n, MAX_IN_FLIGHT) }, lane))
  return Math.round((n * 1000) / (Date.now() - started))
}

/**
 * Sends the world's events (with duplicates) to the worker at `ratePerS`, open loop (the next
 * send never waits for an answer, up to `MAX_IN_FLIGHT` at once), signed with the endpoint secret
 * by the official Stripe library; then waits until Salesforce shows every invoice paid and the
 * writer is empty, or `timeoutMs`.
 */
export async function runRate(
  stack: BenchStack,
  world: WebhookWorld,
  opts: { ratePerS: number; duplicateRate: number; seed: number; timeoutMs: number },
): Promise<RateResult> {
  const pgid = stack.processGroup()
  const cpu0 = readCpu(pgid)
  const healthzN = 1_000
  const ceilingPerS = await healthzPerS(stack, healthzN)
  const cpu1 = readCpu(pgid)
  const deliveries = schedule(world.events, {
    duplicateRate: opts.duplicateRate,
    lateBy: 200,
    seed: opts.seed,
  })
  const stripe = new Stripe('sk_test_bench_unused')
  const url = `${stack.workerUrl}/v1/webhooks/stripe`
  const secret = stack.vendors.bindings.STRIPE_WEBHOOK_SECRET as string
  const writes = new FirstWrites(stack.vendors)
  const arrival = new Map<string, number>()
  const before = callCounts(stack.vendors)
  const load = { before: loadavg(), after: [] as number[] }
  const answers: Array<Promise<{ ok: boolean; attempts: number; ackMs: number }>> = []
  let inFlight = 0
  let lagMax = 0
  const started = Date.now()
  for (const [i, event] of deliveries.entries()) {
    const due = started + (i * 1000) / opts.ratePerS
    if (due > Date.now()) await sleep(due - Date.now())
    while (inFlight >= MAX_IN_FLIGHT) await sleep(1)
    lagMax = Math.max(lagMax, Date.now() - due)
    const invoice = invoiceOf(event)
    if (invoice && !arrival.has(invoice)) arrival.set(invoice, Date.now())
    inFlight++
    answers.push(
      deliver(url, secret, event, stripe).finally(() => {
        inFlight--
      }),
    )
    if (i % 100 === 0) writes.look()
  }
  const results = await Promise.all(answers)
  const lastAck = Date.now()
  const cpuAcked = readCpu(pgid)
  const deadline = Date.now() + opts.timeoutMs
  for (;;) {
    writes.look()
    const done = world.invoices.every((id) => writes.at.has(id))
    if (done && (await writerStatus(stack)).pending === 0) break
    if (Date.now() > deadline) break
    await sleep(20)
  }
  load.after = loadavg()
  const cpuDone = readCpu(pgid)
  const span = { healthz: cpuBetween(cpu0, cpu1), ack: cpuBetween(cpu1, cpuAcked) }
  const total = cpuBetween(cpu1, cpuDone)
  const cpu: CpuFigures = {
    healthzMs: perUnit(span.healthz, healthzN),
    ackMs: perUnit(span.ack, deliveries.length),
    totalMs: perUnit(total, deliveries.length),
    benchMs: cpuMsPer(total.bench, deliveries.length),
    seconds: { ...span, total },
    cores: availableParallelism(),
  }
  const calls = callsBetween(before, callCounts(stack.vendors))
  const paid = writes.paid()
  const toSalesforce = world.invoices.flatMap((id) => {
    const a = arrival.get(id)
    const w = writes.at.get(id)
    return a !== undefined && w !== undefined && paid.has(id) ? [w - a] : []
  })
  const accepted = results.filter((r) => r.ok)
  return {
    targetPerS: opts.ratePerS,
    ceilingPerS,
    accounts: world.accounts,
    deliveries: deliveries.length,
    distinctEvents: world.events.length,
    invoices: world.invoices.length,
    acceptedPerS: Math.round((accepted.length * 1000) / Math.max(1, lastAck - started)),
    sendLagMaxMs: lagMax,
    failedAttempts: results.reduce((n, r) => n + r.attempts - (r.ok ? 1 : 0), 0),
    unaccepted: results.length - accepted.length,
    ack: spread(accepted.map((r) => r.ackMs)),
    toSalesforce: spread(toSalesforce),
    invoicesNotWritten: world.invoices.length - toSalesforce.length,
    calls,
    stripeReadsPer1000: per1000(calls.stripe, deliveries.length),
    salesforceCallsPer1000: per1000(calls.salesforce, deliveries.length),
    load,
    cpu,
  }
}
