import type { Payment } from '../../../shared/index.ts'
import type { StripeClient } from './client.ts'
import { paymentFromCharge } from './mapping.ts'
import type {
  StripeCharge,
  StripeCreditNote,
  StripeCustomer,
  StripeEvent,
  StripeInvoice,
  StripeTaxRate,
  StripeInvoicePayment,
  StripeList,
  StripeSubscription,
} from './stripe-types.ts'

/** One page of a Stripe list; pass `nextCursor` as `startingAfter` for the next. */
export interface Page<T> {
  data: T[]
  hasMore: boolean
  nextCursor?: string
}

const MAX_LIMIT = 100
const id = (value: string) => encodeURIComponent(value)

function page<T extends { id: string }>(list: StripeList<T>): Page<T> {
  return {
    data: list.data,
    hasMore: list.has_more,
    nextCursor: list.has_more ? list.data.at(-1)?.id : undefined,
  }
}

/**
 * Reads for the financial write-back (webhook re-fetches and backfill). Returns Stripe's
 * objects; map them with `invoiceFromStripe`, `paymentFromCharge`, `creditNoteFromStripe`.
 * Every method may throw `ConnectorError` (a missing object is `business`, code `resource_missing`).
 */
export class StripeReader {
  private readonly client: StripeClient
  /** Tax rates never change once made (Stripe Tax makes a new one instead): read each once. */
  private readonly taxRates = new Map<string, Promise<StripeTaxRate>>()

  constructor(client: StripeClient) {
    this.client = client
  }

  /** A tax rate by id, cached for the life of this reader. */
  getTaxRate(rateId: string): Promise<StripeTaxRate> {
    let rate = this.taxRates.get(rateId)
    if (!rate) {
      rate = this.client.get<StripeTaxRate>(`/v1/tax_rates/${id(rateId)}`)
      rate.catch(() => this.taxRates.delete(rateId))
      this.taxRates.set(rateId, rate)
    }
    return rate
  }

  getInvoice(invoiceId: string): Promise<StripeInvoice> {
    return this.client.get<StripeInvoice>(`/v1/invoices/${id(invoiceId)}`)
  }

  /** A customer's invoices, newest first, `limit` ≤ 100 per page. */
  async listInvoices(opts: {
    customerId: string
    startingAfter?: string
    limit?: number
  }): Promise<Page<StripeInvoice>> {
    const list = await this.client.get<StripeList<StripeInvoice>>('/v1/invoices', {
      customer: opts.customerId,
      starting_after: opts.startingAfter,
      limit: Math.min(opts.limit ?? MAX_LIMIT, MAX_LIMIT),
    })
    return page(list)
  }

  /** The charge with its refunds expanded (they date a refund for `sourceUpdatedAt`). */
  getCharge(chargeId: string): Promise<StripeCharge> {
    return this.client.get<StripeCharge>(`/v1/charges/${id(chargeId)}`, { expand: ['refunds'] })
  }

  /** A customer's charges (failed ones included), newest first, refunds expanded. */
  async listCharges(opts: {
    customerId: string
    startingAfter?: string
    limit?: number
  }): Promise<Page<StripeCharge>> {
    const list = await this.client.get<StripeList<StripeCharge>>('/v1/charges', {
      customer: opts.customerId,
      starting_after: opts.startingAfter,
      limit: Math.min(opts.limit ?? MAX_LIMIT, MAX_LIMIT),
      expand: ['data.refunds'],
    })
    return page(list)
  }

  /** Every payment applied to an invoice (all pages). */
  async listInvoicePayments(invoiceId: string): Promise<StripeInvoicePayment[]> {
    const out: StripeInvoicePayment[] = []
    let startingAfter: string | undefined
    do {
      const list = await this.client.get<StripeList<StripeInvoicePayment>>('/v1/invoice_payments', {
        invoice: invoiceId,
        limit: MAX_LIMIT,
        starting_after: startingAfter,
      })
      out.push(...list.data)
      startingAfter = list.has_more ? list.data.at(-1)?.id : undefined
    } while (startingAfter)
    return out
  }

  /**
   * An invoice's payments in Concord's terms: each invoice payment's charge, re-read so refunds
   * and failures are current, linked to the invoice.
   */
  async paymentsForInvoice(invoiceId: string, accountId: string): Promise<Payment[]> {
    const out: Payment[] = []
    for (const ip of await this.listInvoicePayments(invoiceId)) {
      if (!ip.payment.charge) continue
      const payment = paymentFromCharge(await this.getCharge(ip.payment.charge), {
        accountId,
        invoiceId,
      })
      if (payment) out.push(payment)
    }
    return out
  }

  /** The subscription with its schedule expanded (a schedule ending in cancel decides its status). */
  getSubscription(subscriptionId: string): Promise<StripeSubscription> {
    return this.client.get<StripeSubscription>(`/v1/subscriptions/${id(subscriptionId)}`, {
      expand: ['schedule'],
    })
  }

  getCreditNote(creditNoteId: string): Promise<StripeCreditNote> {
    return this.client.get<StripeCreditNote>(`/v1/credit_notes/${id(creditNoteId)}`)
  }

  async listCreditNotes(opts: {
    customerId?: string
    invoiceId?: string
    startingAfter?: string
    limit?: number
  }): Promise<Page<StripeCreditNote>> {
    const list = await this.client.get<StripeList<StripeCreditNote>>('/v1/credit_notes', {
      customer: opts.customerId,
      invoice: opts.invoiceId,
      starting_after: opts.startingAfter,
      limit: Math.min(opts.limit ?? MAX_LIMIT, MAX_LIMIT),
    })
    return page(list)
  }

  /**
   * One page of events, newest first, created within [`createdGte`, `createdLte`] (unix
   * seconds) and of one of `types` (at most 20, exact names, as Stripe takes them). Stripe keeps
   * events 30 days; listing them is its documented way to find events whose webhook was lost.
   * https://docs.stripe.com/api/events/list
   */
  async listEvents(opts: {
    createdGte: number
    createdLte: number
    types: readonly string[]
    startingAfter?: string
    limit?: number
  }): Promise<Page<StripeEvent>> {
    const list = await this.client.get<StripeList<StripeEvent>>('/v1/events', {
      created: { gte: opts.createdGte, lte: opts.createdLte },
      types: [...opts.types],
      starting_after: opts.startingAfter,
      limit: Math.min(opts.limit ?? MAX_LIMIT, MAX_LIMIT),
    })
    return page(list)
  }

  /**
   * One page of a customer's subscriptions, ended ones included (`status=all`), each with its
   * schedule expanded as `getSubscription` reads it.
   */
  async listSubscriptions(opts: {
    customerId: string
    startingAfter?: string
    limit?: number
  }): Promise<Page<StripeSubscription>> {
    const list = await this.client.get<StripeList<StripeSubscription>>('/v1/subscriptions', {
      customer: opts.customerId,
      status: 'all',
      starting_after: opts.startingAfter,
      limit: Math.min(opts.limit ?? MAX_LIMIT, MAX_LIMIT),
      expand: ['data.schedule'],
    })
    return page(list)
  }

  /**
   * The Salesforce Account a customer belongs to (`metadata.sf_account_id`); undefined when the
   * customer was not made by Concord or has been deleted.
   */
  async accountIdOf(customerId: string): Promise<string | undefined> {
    const c = await this.client.get<StripeCustomer & { deleted?: boolean }>(
      `/v1/customers/${id(customerId)}`,
    )
    return c.deleted ? undefined : c.metadata?.['sf_account_id'] || undefined
  }

  /**
   * One page (`limit`, 100 at most) of customers that carry a Salesforce Account id, for a backfill of every
   * mapped account. `nextCursor` moves past the whole page, unmapped customers included.
   */
  async listCustomersWithAccount(
    startingAfter?: string,
    limit = MAX_LIMIT,
  ): Promise<{
    customers: Array<{ customerId: string; accountId: string }>
    hasMore: boolean
    nextCursor?: string
  }> {
    const list = await this.client.get<StripeList<StripeCustomer>>('/v1/customers', {
      limit: Math.min(limit, MAX_LIMIT),
      starting_after: startingAfter,
    })
    const customers = list.data.flatMap((c) => {
      const accountId = c.metadata?.['sf_account_id']
      return accountId ? [{ customerId: c.id, accountId }] : []
    })
    const { hasMore, nextCursor } = page(list)
    return { customers, hasMore, nextCursor }
  }
}
