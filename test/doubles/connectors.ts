import type { Amendment, CatalogEntry } from '../../shared/index.ts'
import { ConnectorError } from '../../worker/failure/errors.ts'
import type {
  BillingReader,
  AccountProfile,
  BillingResult,
  Connectors,
  ErpLine,
  StepContext,
} from '../../worker/connectors/types.ts'
import type { SyncStatus } from '../../worker/writer/records/index.ts'
import type { RecordSink, WriteRecord } from '../../worker/writer/types.ts'

/** A scripted failure: thrown before the effect, or after it (the vendor acted, the answer was lost). */
export interface ScriptedFailure {
  error: Error
  afterEffect?: boolean
}

export interface Effect {
  method: string
  key: string
  amendmentId?: string
  subscriptionKey?: string
  sequence?: number
  correlationId: string
  /** ERP orders: the previous line the ledger handed over (none: the ERP would be read). */
  previous?: ErpLine
}

export const transient = (code = 'rate_limited', retryAfterMs?: number) =>
  new ConnectorError({
    kind: 'transient',
    system: 'double',
    code,
    message: `simulated ${code}`,
    retryAfterMs,
  })
export const business = (code = 'invalid_request', message = 'simulated rejection') =>
  new ConnectorError({ kind: 'business', system: 'double', code, message })

/**
 * In-memory connectors that behave like the vendors where it matters to the saga: a write with
 * an idempotency key it has seen returns the first answer and makes no second effect. Every
 * call and every effect is logged so tests can assert exactly-once and order.
 */
export class DoubleConnectors implements Connectors {
  calls: Array<{ method: string; key?: string }> = []
  effects: Effect[] = []
  statuses = new Map<string, SyncStatus>()
  subscriptions = new Map<
    string,
    {
      quantity?: number
      priceKey?: string
      status: BillingResult['status']
      subscriptionKey?: string
      created?: number
    }
  >()
  /** The proration date each billing call was given, by amendment id. */
  prorationDates = new Map<string, number | undefined>()
  private replies = new Map<string, unknown>()
  private script = new Map<string, ScriptedFailure[]>()
  private counter = 0

  /** How long each vendor write takes, as a vendor's round trip would (0: answers at once). */
  latencyMs = 0

  /** Queues failures for the next calls of `method` (e.g. `billing.applyAmendment`). */
  failNext(method: string, ...failures: Array<Error | ScriptedFailure>): this {
    const list = this.script.get(method) ?? []
    list.push(...failures.map((f) => (f instanceof Error ? { error: f } : f)))
    this.script.set(method, list)
    return this
  }

  callsOf(method: string): number {
    return this.calls.filter((c) => c.method === method).length
  }

  effectsOf(method: string): Effect[] {
    return this.effects.filter((e) => e.method === method)
  }

  private async write<T>(
    method: string,
    ctx: StepContext,
    meta: Partial<Effect>,
    apply: () => T,
  ): Promise<T> {
    this.calls.push({ method, key: ctx.idempotencyKey })
    if (this.latencyMs > 0) await scheduler.wait(this.latencyMs)
    const failure = this.script.get(method)?.shift()
    if (failure && !failure.afterEffect) throw failure.error
    let reply = this.replies.get(ctx.idempotencyKey) as T | undefined
    if (reply === undefined) {
      reply = apply()
      this.replies.set(ctx.idempotencyKey, reply)
      this.effects.push({
        method,
        key: ctx.idempotencyKey,
        correlationId: ctx.correlationId,
        ...meta,
      })
    }
    if (failure) throw failure.error
    return reply
  }

  billing = {
    ensureCustomer: (account: AccountProfile, ctx: StepContext) =>
      this.write('billing.ensureCustomer', ctx, {}, () => ({
        customerId: `cus_${account.accountId.slice(-6)}`,
      })),
    applyAmendment: (
      input: {
        amendment: Amendment
        customerId: string
        subscriptionId?: string
        prorationDate?: number
      },
      ctx: StepContext,
    ) => {
      const a = input.amendment
      this.prorationDates.set(a.id, input.prorationDate)
      return this.write(
        'billing.applyAmendment',
        ctx,
        { amendmentId: a.id, subscriptionKey: a.subscriptionKey, sequence: a.sequence },
        () => {
          const id = input.subscriptionId ?? `sub_${++this.counter}`
          if (a.action !== 'create' && !input.subscriptionId)
            throw business('resource_missing', `No subscription for ${a.subscriptionKey}`)
          const current = this.subscriptions.get(id) ?? {
            status: 'active' as const,
            subscriptionKey: a.subscriptionKey,
            created: Math.floor(Date.now() / 1000),
          }
          const next = { ...current }
          if (a.quantity !== undefined) next.quantity = a.quantity
          if (a.priceKey !== undefined) next.priceKey = a.priceKey
          if (a.action === 'cancel')
            next.status = a.cancelMode === 'immediately' ? 'canceled' : 'scheduled_cancel'
          if (a.action === 'renew') next.status = 'active'
          this.subscriptions.set(id, next)
          return {
            subscriptionId: id,
            ref: `${id}@${a.sequence}`,
            status: next.status,
            currency: 'USD',
          } satisfies BillingResult
        },
      )
    },
    previewAmendment: async (input: {
      amendment: Amendment
      customerId?: string
      subscriptionId?: string
    }) => {
      this.calls.push({ method: 'billing.previewAmendment' })
      const failure = this.script.get('billing.previewAmendment')?.shift()
      if (failure) throw failure.error
      const qty = input.amendment.quantity ?? 0
      return {
        currency: 'USD',
        lines: [
          {
            description: `${qty} × seat (prorated)`,
            amount: qty * 1000,
            quantity: qty,
            proration: true,
          },
        ],
        subtotal: qty * 1000,
        total: qty * 1000,
        amountDue: qty * 1000,
        // Priced now, as Stripe pins `proration_date` to the current second.
        prorationDate: Math.floor(Date.now() / 1000),
      }
    },
    /** The one call an apply would make, priced by the seats it adds to what the double holds now. */
    planAmendment: async (
      input: {
        amendment: Amendment
        subscriptionId?: string
        prorationDate?: number
        priceAt?: number
      },
      ctx: StepContext,
    ) => {
      this.calls.push({ method: 'billing.planAmendment' })
      const failure = this.script.get('billing.planAmendment')?.shift()
      if (failure) throw failure.error
      const a = input.amendment
      const held = input.subscriptionId ? this.subscriptions.get(input.subscriptionId) : undefined
      const seats = (a.quantity ?? 0) - (held?.quantity ?? 0)
      const path = input.subscriptionId
        ? `/v1/subscriptions/${input.subscriptionId}`
        : '/v1/subscriptions'
      const params: Record<string, string> = { 'metadata[correlation_id]': a.correlationId }
      if (a.quantity !== undefined) params['items[0][quantity]'] = String(a.quantity)
      const line = { description: `${seats} × seat`, amount: seats * 1000, proration: true }
      return {
        calls: [{ method: 'POST', path, idempotencyKey: ctx.idempotencyKey, params }],
        preview: {
          currency: 'USD',
          lines: [line],
          subtotal: line.amount,
          total: line.amount,
          amountDue: line.amount,
          prorationDate: input.prorationDate ?? input.priceAt,
        },
      }
    },
  }

  erp = {
    ensureCustomer: (account: AccountProfile & { billingCustomerId: string }, ctx: StepContext) =>
      this.write('erp.ensureCustomer', ctx, {}, () => ({
        customerId: `ns-${account.accountId.slice(-6)}`,
      })),
    recordAmendment: (
      input: { amendment: Amendment; price?: CatalogEntry; previous?: ErpLine },
      ctx: StepContext,
    ) => {
      const a = input.amendment
      const { previous } = input
      const itemId = input.price?.erpItemId ?? previous?.itemId ?? 'item-unknown'
      const quantity = a.action === 'cancel' ? 0 : (a.quantity ?? previous?.quantity)
      return this.write(
        'erp.recordAmendment',
        ctx,
        { amendmentId: a.id, subscriptionKey: a.subscriptionKey, sequence: a.sequence, previous },
        () => ({ ref: `so-${a.id.slice(0, 8)}`, line: { itemId, quantity } }),
      )
    },
    planAmendment: (input: { amendment: Amendment; customerId?: string }) =>
      Promise.resolve({
        operation: 'upsert' as const,
        record: 'salesOrder',
        externalId: `so-${input.amendment.id.slice(0, 8)}`,
        customerId: input.customerId,
        quantity: input.amendment.quantity,
      }),
  }

  billingReader: BillingReader = {
    accountOfCustomer: () => Promise.resolve(undefined),
    listMappedCustomers: () => Promise.resolve({ customers: [], hasMore: false }),
    invoice: () => Promise.reject(business('resource_missing', 'no invoices in the double')),
    paymentsOfInvoice: () => Promise.resolve([]),
    payment: () => Promise.reject(business('resource_missing', 'no payments in the double')),
    creditNote: () => Promise.reject(business('resource_missing', 'no credit notes in the double')),
    /** Answers for the subscriptions the double made, as Stripe would; refuses any other id. */
    subscription: (id: string) => {
      const held = this.subscriptions.get(id)
      if (!held) return Promise.reject(business('resource_missing', `No such subscription: ${id}`))
      return Promise.resolve({
        id,
        subscriptionKey: held.subscriptionKey,
        status: held.status,
        live: held.status !== 'canceled',
        created: held.created ?? 0,
        quantity: held.quantity,
        currency: 'USD',
      })
    },
    listInvoices: () => Promise.resolve({ items: [] }),
    listPayments: () => Promise.resolve({ items: [] }),
  }

  salesforce = {
    readAccount: async (accountId: string): Promise<AccountProfile> => {
      this.calls.push({ method: 'salesforce.readAccount' })
      const failure = this.script.get('salesforce.readAccount')?.shift()
      if (failure) throw failure.error
      return { accountId, name: `Account ${accountId}`, currency: 'USD' }
    },
  }

  /**
   * The OrgWriter as the ledger hands it records (`RecordSink`, wired in with `useRecordSink`):
   * keeps each amendment's latest status, read back from its `Subscription_Sync__c` record.
   */
  writer: RecordSink = {
    enqueue: async (records: WriteRecord[]) => {
      this.calls.push({ method: 'writer.enqueue' })
      const failure = this.script.get('writer.enqueue')?.shift()
      if (failure) throw failure.error
      for (const r of records)
        if (r.object === 'Subscription_Sync__c') this.statuses.set(r.externalId, statusOf(r))
      return { accepted: records.length, stale: 0 }
    },
  }
}

/** A `Subscription_Sync__c` record read back as the status it was built from. */
function statusOf(r: WriteRecord): SyncStatus {
  const f = r.fields
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined)
  return {
    amendmentId: r.externalId,
    accountId: text(f.Account__c) ?? r.accountId ?? '',
    subscriptionKey: text(f.Subscription_Key__c) ?? '',
    sequence: Number(f.Sequence__c),
    action: text(f.Action__c) ?? '',
    status: f.Status__c as SyncStatus['status'],
    errorCode: text(f.Error_Code__c),
    errorMessage: text(f.Error_Message__c),
    correlationId: text(f.Correlation_Id__c) ?? '',
    billingRef: text(f.Billing_Ref__c),
    erpRef: text(f.Erp_Ref__c),
    updatedAt: text(f.Updated_At__c) ?? '',
  }
}
