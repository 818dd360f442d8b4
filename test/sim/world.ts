import type { Amendment } from '../../shared/index.ts'
import { loadConfig } from '../../worker/config/load.ts'
import type { Config } from '../../worker/config/types.ts'
import type { Connectors } from '../../worker/connectors/types.ts'
import { ConnectorError } from '../../worker/failure/errors.ts'
import { Ledger } from '../../worker/ledger/account-ledger.ts'
import { LEDGER_MIGRATIONS } from '../../worker/ledger/migrations.ts'
import { migrate } from '../../worker/lib/storage.ts'
import {
  classifyStripeEvent,
  type StripeEventEnvelope,
} from '../../worker/webhooks/stripe-events.ts'
import { WRITER_MIGRATIONS } from '../../worker/writer/migrations.ts'
import { WriterQueue } from '../../worker/writer/org-writer.ts'
import type { RecordSink, WriterClient } from '../../worker/writer/types.ts'
import { CATALOG, makePlan, type Plan } from './plan.ts'
import { Runtime, SimObject, type PendingCall } from './runtime.ts'
import {
  SimNetsuite,
  SimRegistry,
  SimSalesforce,
  SimStripe,
  unmodelledReads,
  type VendorEffect,
} from './vendors.ts'

/** The worker's settings in the simulation: production's defaults, a short gap window. */
const SIM_VARS: Record<string, string> = {
  LOG_LEVEL: 'error',
  SEQUENCE_GAP_WINDOW_SECONDS: '60',
  MAX_TRANSIENT_ATTEMPTS: '20',
  CATALOG: JSON.stringify(CATALOG),
}
export const SIM_CONFIG: Config = loadConfig(SIM_VARS)

type Outcome = 'ok' | 'fail' | 'lost'

/** An amendment or a webhook on its way to the worker; Salesforce and Stripe resend until answered. */
type Delivery =
  { kind: 'amendments'; amendments: Amendment[] } | { kind: 'webhook'; event: StripeEventEnvelope }

/**
 * One schedule's world: the worker's real ledgers and OrgWriter in simulated Durable Objects, the
 * simulated vendors, and the scheduler that, from the seed, decides every delivery, fault, delay
 * and crash.
 */
export class World {
  readonly rt: Runtime
  readonly plan: Plan
  readonly effects: VendorEffect[] = []
  readonly stripe: SimStripe
  readonly netsuite: SimNetsuite
  readonly salesforce = new SimSalesforce()
  readonly registry = new SimRegistry()
  readonly writer: SimObject<WriterQueue>
  readonly ledgers = new Map<string, SimObject<Ledger>>()
  /** Amendments a ledger took (its `enqueue` ran), whatever the caller heard. */
  readonly recorded = new Set<string>()
  private readonly inbox: Delivery[] = []
  /** Calls of crashed objects that will still reach the far side, late, after the restart. */
  private readonly zombies: PendingCall[] = []
  private eventsSeen = 0
  private chaos = true

  /** Whether a crashed OrgWriter's Composite call may reach Salesforce after its successor's. */
  private readonly lateSalesforceWrites: boolean

  constructor(seed: number, opts: { lateSalesforceWrites?: boolean } = {}) {
    this.lateSalesforceWrites = opts.lateSalesforceWrites ?? true
    this.rt = new Runtime(seed)
    this.plan = makePlan(this.rt.rng, this.rt.now)
    this.stripe = new SimStripe(() => this.rt.now, this.effects)
    this.netsuite = new SimNetsuite(this.effects)
    this.writer = new SimObject('writer', 'writer', (storage) => {
      migrate(storage.sql, WRITER_MIGRATIONS)
      return new WriterQueue(storage, { config: SIM_CONFIG, client: () => this.writerClient() })
    })
    for (const account of this.plan.accounts) this.ledgers.set(account, this.ledgerObject(account))
    for (const a of this.plan.amendments)
      if (!this.plan.neverDelivered.has(a.id))
        this.inbox.push({ kind: 'amendments', amendments: [a] })
  }

  private ledgerObject(account: string): SimObject<Ledger> {
    return new SimObject(`ledger:${account.slice(-6)}`, 'ledger', (storage) => {
      migrate(storage.sql, LEDGER_MIGRATIONS)
      return new Ledger(storage, {
        config: SIM_CONFIG,
        connectors: () => this.connectors(),
        writer: this.recordSink(),
        registry: {
          upsertExceptions: (entries) =>
            this.rt.call('registry.upsertExceptions', 'rpc', () =>
              this.registry.upsertExceptions(entries),
            ),
          // The cross-account trace index is not part of what the simulation judges.
          indexTraces: () => Promise.resolve(),
          rememberCustomer: (customer, acct) =>
            this.rt.call('registry.rememberCustomer', 'rpc', () =>
              this.registry.rememberCustomer(customer, acct),
            ),
        },
      })
    })
  }

  /** The ledger's port to the OrgWriter: an RPC into the writer object, which may fail or be lost. */
  private recordSink(): RecordSink {
    return {
      enqueue: (records) =>
        this.rt.call('writer.enqueue', 'rpc', () =>
          this.rt.start(this.writer, 'enqueue', () => this.writer.get().enqueue(records)),
        ),
    }
  }

  private writerClient(): WriterClient {
    return {
      writeBatch: (input) =>
        this.rt.call('salesforce.writeBatch', 'vendor', () =>
          this.salesforce.writeBatch(input, () => this.chaos && this.rt.rng.chance(0.05)),
        ),
    }
  }

  private connectors(): Connectors {
    const { rt, stripe, netsuite, salesforce } = this
    return {
      billing: {
        ensureCustomer: (p, ctx) =>
          rt.call('stripe.ensureCustomer', 'vendor', () => stripe.ensureCustomer(p, ctx)),
        applyAmendment: (input, ctx) =>
          rt.call('stripe.applyAmendment', 'vendor', () => stripe.applyAmendment(input, ctx)),
        previewAmendment: () => Promise.reject(new Error('previews are not simulated')),
        planAmendment: () => Promise.reject(new Error('dry runs are not simulated')),
      },
      billingReader: {
        ...unmodelledReads(),
        accountOfCustomer: (id) => Promise.resolve(stripe.accountOf(id)),
        subscription: (id) => rt.call('stripe.subscription', 'vendor', () => stripe.read(id)),
      },
      erp: {
        ensureCustomer: (p, ctx) =>
          rt.call('netsuite.ensureCustomer', 'vendor', () => netsuite.ensureCustomer(p, ctx)),
        recordAmendment: (input, ctx) =>
          rt.call('netsuite.recordAmendment', 'vendor', () => netsuite.recordAmendment(input, ctx)),
        planAmendment: () => Promise.reject(new Error('dry runs are not simulated')),
      },
      salesforce: {
        readAccount: (id) =>
          rt.call('salesforce.readAccount', 'vendor', () => salesforce.readAccount(id)),
      },
    }
  }

  /** Gives every object's database back to the pool. */
  dispose(): void {
    for (const o of [this.writer, ...this.ledgers.values()]) o.dispose()
  }

  /** Runs the schedule: faults until the inbox is empty and the chaos steps are spent, then quiet. */
  async run(): Promise<{ settled: boolean; steps: number }> {
    return this.rt.withPlatform(async () => {
      let steps = 0
      while (
        (steps < this.plan.chaosSteps || this.inbox.length > 0 || this.newEvents()) &&
        steps < 5_000
      ) {
        await this.step()
        steps++
      }
      this.chaos = false
      this.rt.log('quiet')
      for (let quiet = 0; quiet < 20_000; quiet++, steps++)
        if (!(await this.step())) return { settled: true, steps }
      return { settled: false, steps }
    })
  }

  private newEvents(): boolean {
    return this.stripe.events.length > this.eventsSeen
  }

  /** One scheduler decision, then everything it set moving runs until it waits again. */
  private async step(): Promise<boolean> {
    const { rt } = this
    while (this.newEvents())
      this.inbox.push({
        kind: 'webhook',
        event: this.stripe.events[this.eventsSeen++] as StripeEventEnvelope,
      })
    const due = [this.writer, ...this.ledgers.values()].filter((o) => o.alarmDue(rt.now))
    const c = this.chaos
    const action = rt.rng.weighted([
      ['call', rt.calls.length > 0 ? 6 : 0],
      ['inbox', this.inbox.length > 0 ? 3 : 0],
      ['alarm', due.length > 0 ? 4 : 0],
      ['crash', c ? 0.25 : 0],
      ['zombie', this.zombies.length > 0 ? 2 : 0],
      ['drift', c ? 0.1 : 0],
      ['operator', c ? 0.15 : 0],
      ['time', c ? 1.5 : 0],
    ] as const)
    const busy =
      rt.calls.length > 0 || this.inbox.length > 0 || due.length > 0 || this.zombies.length > 0
    if (action === 'call')
      this.deliverCall(rt.calls.splice(rt.rng.int(rt.calls.length), 1)[0] as PendingCall)
    else if (action === 'inbox') this.deliverInbox()
    else if (action === 'alarm') this.fireAlarm(rt.rng.pick(due))
    else if (action === 'crash') this.crash()
    else if (action === 'zombie') this.deliverZombie()
    else if (action === 'drift') this.drift()
    else if (action === 'operator') this.operate()
    else if (action === 'time' && busy) rt.now += rt.rng.int(3_000)
    else if (!busy && !this.sleep()) return false
    await rt.quiesce()
    return true
  }

  /** Nothing to do now: moves the clock to the next alarm. False when no alarm is set either. */
  private sleep(): boolean {
    const alarms = [this.writer, ...this.ledgers.values()]
      .map((o) => o.alarmAt)
      .filter((t): t is number => t !== null)
    if (alarms.length === 0) return false
    this.rt.now = Math.max(this.rt.now, Math.min(...alarms))
    this.rt.log(`sleep until ${this.rt.now}`)
    return true
  }

  private outcome(): Outcome {
    if (!this.chaos) return 'ok'
    return this.rt.rng.weighted([
      ['ok', 80],
      ['fail', 12],
      ['lost', 8],
    ] as const) as Outcome
  }

  /** Answers a call: it fails before reaching the far side, or the far side acts and the answer is delivered or lost. */
  private deliverCall(call: PendingCall): void {
    const outcome = this.outcome()
    this.rt.log(`call#${call.id} ${call.label} ${outcome}`)
    if (outcome === 'fail') return call.settle({ ok: false, error: this.failure(call, false) })
    void (async () => {
      let result: Parameters<PendingCall['settle']>[0]
      try {
        result = { ok: true, value: await call.effect() }
      } catch (error) {
        result = { ok: false, error }
      }
      call.settle(outcome === 'lost' ? { ok: false, error: this.failure(call, true) } : result)
    })()
  }

  private failure(call: PendingCall, lost: boolean): Error {
    if (call.kind === 'rpc') return new Error('Network connection lost.')
    const system = call.label.split('.')[0] as string
    if (!lost && this.rt.rng.chance(0.5))
      return new ConnectorError({
        category: 'rate_limited',
        system,
        code: 'rate_limited',
        message: 'Too many requests',
        status: 429,
        retryAfterMs: 1_000 + this.rt.rng.int(4_000),
      })
    return new ConnectorError({
      kind: 'transient',
      system,
      code: 'timeout',
      message: 'the request timed out',
    })
  }

  /** Delivers one item of the inbox, in any order; a failed or unanswered one is sent again, and now and then twice. */
  private deliverInbox(): void {
    const { rt } = this
    const item = this.takeDelivery()
    const outcome = this.outcome()
    // Salesforce and Stripe send again what failed or went unanswered, amendments one by one.
    const again =
      item.kind === 'amendments'
        ? item.amendments.map((a) => ({ kind: 'amendments' as const, amendments: [a] }))
        : [item]
    if (outcome !== 'ok' || (this.chaos && rt.rng.chance(0.15))) this.inbox.push(...again)
    if (outcome === 'fail') return rt.log(`inbox ${describe(item)} fail`)
    if (item.kind === 'amendments') {
      const a = item.amendments[0] as Amendment
      const ledger = this.ledgers.get(a.accountId) as SimObject<Ledger>
      rt.start(ledger, 'enqueue', () => ledger.get().enqueue(item.amendments)).then(
        (answers) => {
          for (const x of answers) if (x.status !== 'rejected') this.recorded.add(x.eventUuid)
          rt.log(`inbox ${describe(item)} ${outcome} ${answers.map((x) => x.status).join(',')}`)
        },
        (e: unknown) => rt.log(`inbox ${describe(item)} threw ${String(e)}`),
      )
      return
    }
    const classified = classifyStripeEvent(item.event)
    const account = classified.customerId ? this.stripe.accountOf(classified.customerId) : undefined
    const ledger = account ? this.ledgers.get(account) : undefined
    if (!ledger) return rt.log(`inbox ${describe(item)} unroutable`)
    rt.start(ledger, 'webhook', () =>
      ledger.get().recordBillingEvents(account as string, [classified.ref]),
    ).then(
      (answers) => rt.log(`inbox ${describe(item)} ${outcome} ${answers.join(',')}`),
      (e: unknown) => rt.log(`inbox ${describe(item)} threw ${String(e)}`),
    )
  }

  /**
   * One delivery from the inbox, any one; amendments of one account travel together now and then
   * (the intake posts several events in one request), in whatever order they were picked.
   */
  private takeDelivery(): Delivery {
    const { rt } = this
    const item = this.inbox.splice(rt.rng.int(this.inbox.length), 1)[0] as Delivery
    if (item.kind !== 'amendments') return item
    const account = item.amendments[0]?.accountId
    const amendments = [...item.amendments]
    for (let more = rt.rng.int(3); more > 0; more--) {
      const i = this.inbox.findIndex(
        (d) => d.kind === 'amendments' && d.amendments[0]?.accountId === account,
      )
      if (i < 0) break
      amendments.push(...(this.inbox.splice(i, 1)[0] as { amendments: Amendment[] }).amendments)
    }
    return { kind: 'amendments', amendments }
  }

  private fireAlarm(object: SimObject<Ledger> | SimObject<WriterQueue>): void {
    this.rt.log(`alarm ${object.name}`)
    object.fireAlarm(this.rt, (instance) => instance.alarm())
  }

  /** Crashes an object at whatever await it is in; each call it had in flight may have reached the far side. */
  private crash(): void {
    const { rt } = this
    // Mostly in the middle of something: an object waiting on a call is the interesting crash.
    const object = rt.rng.weighted(
      [this.writer, ...this.ledgers.values()]
        .filter((o) => o.started)
        .map((o) => [o, rt.alive(o).length > 0 ? 4 : 1] as const),
    )
    if (!object) return
    const orphaned = rt.crash(object)
    rt.log(`crash ${object.name} (${orphaned.length} calls in flight)`)
    for (const call of orphaned) {
      const reaches = rt.rng.chance(0.5)
      // A Composite write lands before the restart unless the world lets it land later: a late
      // one would overwrite newer values (test/sim/README.md, "What it found").
      const late = reaches && (call.label !== 'salesforce.writeBatch' || this.lateSalesforceWrites)
      rt.log(
        `  call#${call.id} ${call.label} ${late ? 'still on its way' : reaches ? 'lands now' : 'never arrives'}`,
      )
      if (late) this.zombies.push(call)
      else if (reaches)
        void Promise.resolve()
          .then(() => call.effect())
          .catch(() => undefined)
    }
  }

  /** A dead incarnation's call reaches the far side now; nobody hears the answer. */
  private deliverZombie(): void {
    const call = this.zombies.splice(this.rt.rng.int(this.zombies.length), 1)[0] as PendingCall
    this.rt.log(`zombie call#${call.id} ${call.label} arrives`)
    void Promise.resolve()
      .then(() => call.effect())
      .catch(() => undefined)
  }

  /**
   * An operator retries or skips a parked amendment from the console, as they see it in storage.
   * Retrying a gap- or stale-parked one accepts it out of order, so that is left to skip.
   */
  private operate(): void {
    const { rt } = this
    const parked = [...this.ledgers.values()]
      .filter((l) => l.made)
      .flatMap((ledger) =>
        ledger.storage.sql
          .exec<{ id: string; code: string }>(
            "SELECT id, error_code AS code FROM amendment WHERE state = 'parked' ORDER BY id",
          )
          .toArray()
          .map((row) => ({ ledger, ...row })),
      )
    if (parked.length === 0) return
    const { ledger, id, code } = rt.rng.pick(parked)
    const skip = code === 'sequence_gap' || code === 'sequence_stale' || rt.rng.chance(0.5)
    rt.start(ledger, 'operator', () =>
      skip
        ? ledger.get().skip(id, { actor: 'sim-operator', reason: 'simulated skip' })
        : ledger.get().retry(id, { actor: 'sim-operator' }),
    ).then(
      (r) => rt.log(`operator ${skip ? 'skip' : 'retry'} ${id} ${r.status}`),
      (e: unknown) => rt.log(`operator ${id} threw ${String(e)}`),
    )
  }

  /** Stripe changes a subscription by itself (a renewal payment fails or recovers). */
  private drift(): void {
    const id = this.stripe.driftStatus((ids) =>
      ids.length > 0 ? this.rt.rng.pick(ids) : undefined,
    )
    if (id) this.rt.log(`drift ${id}`)
  }
}

function describe(item: Delivery): string {
  return item.kind === 'webhook'
    ? `${item.event.type} ${item.event.id}`
    : item.amendments.map((a) => `${a.subscriptionKey}#${a.sequence}`).join(',')
}
