import type { Invoice, Payment } from '../../../shared/index.ts'
import type { BillingReader } from '../types.ts'
import { creditNoteFromStripe, invoiceFromStripe, paymentFromCharge } from './mapping.ts'
import { billingSubscription } from './mirror.ts'
import type { StripeReader } from './reader.ts'
import type { StripeInvoice } from './stripe-types.ts'

/** An open invoice has had no successful attempt yet, so each attempt so far failed. */
function withAttempts(inv: StripeInvoice, accountId: string): Invoice {
  const mapped = invoiceFromStripe(inv, accountId)
  return inv.status === 'open'
    ? {
        ...mapped,
        failedPaymentAttempts:
          (inv as StripeInvoice & { attempt_count?: number }).attempt_count ?? 0,
      }
    : mapped
}

/**
 * The invoice's tax (Stripe Tax's `total_taxes`) and where it is owed, each jurisdiction read from
 * its tax rate: `California 7.25%`, `France 0% (reverse_charge)`.
 */
async function withTax(
  inv: StripeInvoice,
  mapped: Invoice,
  reader: StripeReader,
): Promise<Invoice> {
  const taxes = inv.total_taxes ?? []
  if (taxes.length === 0) return mapped
  const parts: string[] = []
  for (const t of taxes) {
    const rateId = t.tax_rate_details?.tax_rate
    if (!rateId) continue
    const rate = await reader.getTaxRate(rateId)
    const name = rate.jurisdiction ?? rate.state ?? rate.country ?? rateId
    const pct = rate.effective_percentage ?? rate.percentage
    const why = t.taxability_reason === 'standard_rated' ? '' : ` (${t.taxability_reason})`
    const part = `${name} ${pct}%${why}`
    if (!parts.includes(part)) parts.push(part)
  }
  return {
    ...mapped,
    taxAmount: taxes.reduce((sum, t) => sum + t.amount, 0),
    taxJurisdictions: parts.join('; '),
  }
}

/** Stripe's reads in the canonical shapes the ledger's finance book merges. */
export function stripeBillingReader(reader: StripeReader): BillingReader {
  return {
    accountOfCustomer: (customerId) => reader.accountIdOf(customerId),
    listMappedCustomers: (after) => reader.listCustomersWithAccount(after),
    invoice: async (id, accountId) => {
      const inv = await reader.getInvoice(id)
      return withTax(inv, withAttempts(inv, accountId), reader)
    },
    paymentsOfInvoice: (invoiceId, accountId) => reader.paymentsForInvoice(invoiceId, accountId),
    payment: async (id, accountId) => {
      const payment = paymentFromCharge(await reader.getCharge(id), { accountId })
      if (!payment) throw new Error(`charge ${id} has no outcome yet`)
      return payment
    },
    creditNote: async (id, accountId) =>
      creditNoteFromStripe(await reader.getCreditNote(id), accountId),
    subscription: async (id) => {
      // A future-dated create is its schedule until the schedule starts the subscription.
      if (id.startsWith('sub_sched_')) return undefined
      const sub = await reader.getSubscription(id)
      return billingSubscription({ ...sub, items: sub.items.data })
    },
    listInvoices: async (customerId, accountId, after) => {
      const page = await reader.listInvoices({ customerId, startingAfter: after })
      const items = await Promise.all(
        page.data.map((inv) => withTax(inv, withAttempts(inv, accountId), reader)),
      )
      return { items, next: page.nextCursor }
    },
    listPayments: async (customerId, accountId, after) => {
      const page = await reader.listCharges({ customerId, startingAfter: after })
      return {
        items: page.data
          .map((c) => paymentFromCharge(c, { accountId }))
          .filter((p): p is Payment => !!p),
        next: page.nextCursor,
      }
    },
  }
}
