import type { Amendment, CatalogEntry } from '../../shared/index.ts'
import { staleUpdate } from '../../shared/salesforce-schema.ts'
import type {
  AccountProfile,
  BillingReader,
  BillingResult,
  BillingSubscription,
  BillingSystem,
  ErpSystem,
  StepContext,
} from '../../worker/connectors/types.ts'
import { billingSubscription, concordStatus } from '../../worker/connectors/stripe/mirror.ts'
import { ConnectorError } from '../../worker/failure/errors.ts'
import type { ExceptionEntry } from '../../worker/ledger/journal.ts'
import type { StripeEventEnvelope } from '../../worker/webhooks/stripe-events.ts'
import type { RecordOutcome, WriterClient } from '../../worker/writer/types.ts'

/** One effect a vendor made, in the order it made them: what exactly-once and order are judged on. */
export interface VendorEffect {
  system: 'stripe' | 'netsuite'
  what: 'customer' | 'amendment'
  accountId: string
  amendmentId?: string
  subscriptionKey?: string
  sequence?: number
}

/** A Stripe subscription as Stripe holds it (the fields Concord reads). */
interface StripeSubscription {
  id: string
  customer: string
  status: 'active' | 'past_due' | 'canceled'
  cancel_at_period_end: boolean
  created: number
  currency: string
  metadata: Record<string, string>
  items: Array<{ quantity: number; price: { id: string }; current_period_end: number }>
}

const refused = (system: string, code: string, message: string) =>
  new ConnectorError({ kind: 'business', system, code, message, status: 400 })

/**
 * Stripe in memory: customers and subscriptions, idempotency keys answered with the first
 * result (as Stripe replays a key's saved response), webhooks queued for every change, and a
 * log of effects. Subscriptions are held in Stripe's shape and read through the connector's own
 * mapping (`billingSubscription`), so the mirror is compared with what the connector would read.
 */
export class SimStripe {
  private readonly effects: VendorEffect[]
  /** Webhooks Stripe owes the worker: delivered at least once, in any order. */
  readonly events: StripeEventEnvelope[] = []
  readonly subscriptions = new Map<string, StripeSubscription>()
  private readonly customers = new Map<string, string>()
  private readonly replies = new Map<
    string,
    { ok: true; value: unknown } | { ok: false; error: unknown }
  >()
  private ids = 0
  private readonly clock: () => number

  /** `effects` is shared with the other vendors: one log, in the order effects happened. */
  constructor(clock: () => number, effects: VendorEffect[]) {
    this.clock = clock
    this.effects = effects
  }

  private idempotent<T>(key: string, run: () => T): T {
    let reply = this.replies.get(key)
    if (!reply) {
      try {
        reply = { ok: true, value: run() }
      } catch (error) {
        reply = { ok: false, error }
      }
      this.replies.set(key, reply)
    }
    if (!reply.ok) throw reply.error
    return reply.value as T
  }

  private emit(type: string, sub: StripeSubscription): void {
    this.events.push({
      id: `evt_${++this.ids}`,
      type,
      created: Math.floor(this.clock() / 1000),
      data: { object: { object: 'subscription', ...structuredClone(sub) } },
    })
  }

  accountOf(customerId: string): string | undefined {
    return this.customers.get(customerId)
  }

  ensureCustomer(account: AccountProfile, ctx: StepContext): { customerId: string } {
    return this.idempotent(ctx.idempotencyKey, () => {
      const customerId = `cus_${++this.ids}`
      this.customers.set(customerId, account.accountId)
      this.effects.push({ system: 'stripe', what: 'customer', accountId: account.accountId })
      return { customerId }
    })
  }

  applyAmendment(
    input: {
      amendment: Amendment
      customerId: string
      subscriptionId?: string
      price?: CatalogEntry
    },
    ctx: StepContext,
  ): BillingResult {
    return this.idempotent(ctx.idempotencyKey, () => {
      const a = input.amendment
      const sub = a.action === 'create' ? this.create(input) : this.update(input)
      this.effects.push({
        system: 'stripe',
        what: 'amendment',
        accountId: a.accountId,
        amendmentId: a.id,
        subscriptionKey: a.subscriptionKey,
        sequence: a.sequence,
      })
      const read = billingSubscription(sub)
      return {
        subscriptionId: sub.id,
        ref: sub.id,
        status: concordStatus(sub),
        currentPeriodEnd: read.currentPeriodEnd,
        currency: read.currency,
      }
    })
  }

  private create(input: { amendment: Amendment; customerId: string; price?: CatalogEntry }) {
    const a = input.amendment
    const now = Math.floor(this.clock() / 1000)
    const sub: StripeSubscription = {
      id: `sub_${++this.ids}`,
      customer: input.customerId,
      status: 'active',
      cancel_at_period_end: false,
      created: now,
      currency: 'usd',
      metadata: { subscription_key: a.subscriptionKey, sf_account_id: a.accountId },
      items: [
        {
          quantity: a.quantity ?? 1,
          price: { id: input.price?.billingPriceId ?? 'price_missing' },
          current_period_end: now + 30 * 86_400,
        },
      ],
    }
    this.subscriptions.set(sub.id, sub)
    this.emit('customer.subscription.created', sub)
    return sub
  }

  private update(input: { amendment: Amendment; subscriptionId?: string; price?: CatalogEntry }) {
    const a = input.amendment
    const sub = input.subscriptionId ? this.subscriptions.get(input.subscriptionId) : undefined
    if (!sub)
      throw refused('stripe', 'resource_missing', `No such subscription: '${input.subscriptionId}'`)
    if (sub.status === 'canceled')
      throw refused(
        'stripe',
        'subscription_canceled',
        'You cannot update a subscription that is `canceled`.',
      )
    const item = sub.items[0] as StripeSubscription['items'][number]
    if (a.action === 'change_quantity') item.quantity = a.quantity ?? item.quantity
    if (a.action === 'change_price')
      item.price = { id: input.price?.billingPriceId ?? item.price.id }
    if (a.action === 'renew') sub.cancel_at_period_end = false
    if (a.action === 'cancel' && a.cancelMode === 'at_period_end') sub.cancel_at_period_end = true
    if (a.action === 'cancel' && a.cancelMode === 'immediately') sub.status = 'canceled'
    this.emit(
      sub.status === 'canceled' ? 'customer.subscription.deleted' : 'customer.subscription.updated',
      sub,
    )
    return sub
  }

  /** Stripe changes a subscription on its own (a renewal payment fails, or succeeds again). */
  driftStatus(pick: (ids: string[]) => string | undefined): string | undefined {
    const live = [...this.subscriptions.values()].filter((s) => s.status !== 'canceled')
    const id = pick(live.map((s) => s.id))
    const sub = id ? this.subscriptions.get(id) : undefined
    if (!sub) return undefined
    sub.status = sub.status === 'active' ? 'past_due' : 'active'
    this.emit('customer.subscription.updated', sub)
    return sub.id
  }

  read(id: string): BillingSubscription {
    const sub = this.subscriptions.get(id)
    if (!sub) throw refused('stripe', 'resource_missing', `No such subscription: '${id}'`)
    return billingSubscription(structuredClone(sub))
  }
}

/** NetSuite in memory: customers and sales orders upserted by external id, effects logged. */
export class SimNetsuite {
  private readonly effects: VendorEffect[]
  readonly orders = new Map<
    string,
    { amendmentId: string; customerId: string; billingRef: string }
  >()
  private readonly customers = new Map<string, string>()
  private ids = 0

  constructor(effects: VendorEffect[]) {
    this.effects = effects
  }

  ensureCustomer(account: AccountProfile, ctx: StepContext): { customerId: string } {
    let id = this.customers.get(ctx.idempotencyKey)
    if (!id) {
      id = String(++this.ids)
      this.customers.set(ctx.idempotencyKey, id)
      this.effects.push({ system: 'netsuite', what: 'customer', accountId: account.accountId })
    }
    return { customerId: id }
  }

  recordAmendment(
    input: { amendment: Amendment; customerId: string; billing: BillingResult },
    ctx: StepContext,
  ): { ref: string } {
    const a = input.amendment
    const externalId = ctx.idempotencyKey
    if (!this.orders.has(externalId))
      this.effects.push({
        system: 'netsuite',
        what: 'amendment',
        accountId: a.accountId,
        amendmentId: a.id,
        subscriptionKey: a.subscriptionKey,
        sequence: a.sequence,
      })
    this.orders.set(externalId, {
      amendmentId: a.id,
      customerId: input.customerId,
      billingRef: input.billing.ref,
    })
    return { ref: `SO-${externalId.slice(0, 8)}` }
  }
}

/** Salesforce in memory: the Account reads the saga makes and the records the OrgWriter upserts. */
export class SimSalesforce {
  /** `object` → external id → fields. */
  readonly records = new Map<string, Map<string, Record<string, unknown>>>()
  calls = 0

  readAccount(accountId: string): AccountProfile {
    return { accountId, name: `Account ${accountId.slice(-4)}`, currency: 'USD' }
  }

  /** One Composite call's effect: each record upserted, or failed on its own as scripted. */
  writeBatch(
    input: Parameters<WriterClient['writeBatch']>[0],
    lockFails: (externalId: string) => boolean,
  ): Awaited<ReturnType<WriterClient['writeBatch']>> {
    this.calls++
    const groups = input.groups.map((g) =>
      g.records.map((record): RecordOutcome => {
        const fields = record as Record<string, unknown>
        const externalId = String(fields[g.externalIdField])
        if (lockFails(externalId))
          return {
            ok: false,
            kind: 'transient',
            code: 'UNABLE_TO_LOCK_ROW',
            message: 'unable to obtain exclusive access to this record',
          }
        const table = this.records.get(g.object) ?? new Map<string, Record<string, unknown>>()
        this.records.set(g.object, table)
        const held = table.get(externalId)
        // The package's before-update triggers (`ConcordStaleGuard`): an older source time changes nothing.
        if (held && staleUpdate(g.object, held, fields)) return { ok: true }
        table.set(externalId, { ...held, ...fields })
        return { ok: true }
      }),
    )
    return {
      groups,
      published: input.publish?.records.map((): RecordOutcome => ({ ok: true })),
      events: input.events?.map((): RecordOutcome => ({ ok: true })),
      usage: { used: this.calls, max: 100_000 },
    }
  }

  record(object: string, externalId: string): Record<string, unknown> | undefined {
    return this.records.get(object)?.get(externalId)
  }
}

/** The OpsRegistry's exception index and customer directory, as the ledger's outboxes feed them. */
export class SimRegistry {
  readonly exceptions = new Map<string, ExceptionEntry>()
  readonly directory = new Map<string, string>()

  upsertExceptions(entries: ExceptionEntry[]): void {
    for (const e of entries) this.exceptions.set(e.amendmentId, e)
  }

  rememberCustomer(billingCustomerId: string, accountId: string): void {
    this.directory.set(billingCustomerId, accountId)
  }
}

/** The reads of a `BillingReader` the simulation does not model (it has no invoices). */
export function unmodelledReads(): Omit<BillingReader, 'subscription' | 'accountOfCustomer'> {
  const none = () =>
    Promise.reject(refused('stripe', 'not_modelled', 'not modelled by the simulation'))
  return {
    listMappedCustomers: none,
    invoice: none,
    paymentsOfInvoice: none,
    payment: none,
    creditNote: none,
    listInvoices: none,
    listPayments: none,
  }
}

export type { BillingSystem, ErpSystem }
