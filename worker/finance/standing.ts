import type {
  CurrencyExposure,
  FinancialStanding,
  Invoice,
  Payment,
  Standing,
} from '../../shared/index.ts'

/** The facts the ERP owns for an account: what is still owed per document, and the credit hold. */
export interface ErpFacts {
  creditHold: boolean
  /** Open ERP documents not (or not yet) known to billing: counted in the balance as they are. */
  openDocuments: Array<{ id: string; currency: string; amountRemaining: number; dueDate?: string }>
  /** Remaining amount per billing invoice id, where the ERP has the invoice (ERP wins for AR). */
  remainingByInvoice: Record<string, number>
}

/**
 * The standing rules, in order; the first that matches decides. Written down in the README
 * ("Financial standing") — change both together.
 */
export const STANDING_RULES = {
  /** `at_risk` once the oldest open invoice is more than this many days past due. */
  atRiskDaysPastDue: 60,
  /** `at_risk` at this many failed payment attempts on invoices still open. */
  atRiskFailedPayments: 3,
} as const

const DAY_MS = 86_400_000

/** Whole days from `dueDate` (YYYY-MM-DD) to the UTC calendar day of `asOf`; negative = not yet due. */
export function daysPastDue(dueDate: string, asOf: Date): number {
  const due = Date.parse(`${dueDate}T00:00:00Z`)
  const today = Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate())
  return Math.round((today - due) / DAY_MS)
}

type Bucket = keyof CurrencyExposure['aging']

function bucketOf(dpd: number): Bucket {
  if (dpd <= 0) return 'current'
  if (dpd <= 30) return 'days1To30'
  if (dpd <= 60) return 'days31To60'
  if (dpd <= 90) return 'days61To90'
  return 'days90Plus'
}

function emptyExposure(currency: string): CurrencyExposure {
  return {
    currency,
    openBalance: 0,
    overdue: 0,
    aging: { current: 0, days1To30: 0, days31To60: 0, days61To90: 0, days90Plus: 0 },
  }
}

/**
 * Computes an account's standing from billing invoices and payments and the ERP's AR facts.
 * Billing owns the documents (status, amounts invoiced, due dates); the ERP owns what is still
 * owed and the credit hold, so where the ERP has an invoice its remaining amount wins. Amounts
 * stay in their currency: one exposure per currency, never summed across them.
 */
export function computeStanding(input: {
  accountId: string
  invoices: Invoice[]
  payments: Payment[]
  erp?: ErpFacts
  asOf: Date
}): FinancialStanding {
  const { asOf, erp } = input
  const exposures = new Map<string, CurrencyExposure>()
  let oldestDpd = 0
  const openInvoiceIds = new Set<string>()

  const add = (currency: string, remaining: number, dueDate: string | undefined) => {
    if (remaining <= 0) return
    const exposure = exposures.get(currency) ?? emptyExposure(currency)
    const dpd = dueDate ? daysPastDue(dueDate, asOf) : 0
    exposure.openBalance += remaining
    exposure.aging[bucketOf(dpd)] += remaining
    if (dpd > 0) {
      exposure.overdue += remaining
      oldestDpd = Math.max(oldestDpd, dpd)
    }
    exposures.set(currency, exposure)
  }

  for (const invoice of input.invoices) {
    if (invoice.status !== 'open') continue
    openInvoiceIds.add(invoice.id)
    const remaining = erp?.remainingByInvoice[invoice.id] ?? invoice.amountRemaining
    add(invoice.currency, remaining, invoice.dueDate)
  }
  for (const doc of erp?.openDocuments ?? []) add(doc.currency, doc.amountRemaining, doc.dueDate)

  // Per open invoice: the invoice's own count of failed attempts when billing keeps one, else
  // the failed payments linked to it; never both, so nothing is counted twice.
  let failedPayments = 0
  for (const invoice of input.invoices) {
    if (!openInvoiceIds.has(invoice.id)) continue
    failedPayments +=
      invoice.failedPaymentAttempts ??
      input.payments.filter((p) => p.status === 'failed' && p.invoiceId === invoice.id).length
  }
  const paid = input.payments
    .filter((p) => (p.status === 'succeeded' || p.status === 'partially_refunded') && p.paidAt)
    .sort((a, b) => (a.paidAt ?? '').localeCompare(b.paidAt ?? ''))
    .at(-1)
  const creditHold = erp?.creditHold ?? false

  const reasons: string[] = []
  let standing: Standing = 'good'
  if (creditHold) {
    standing = 'hold'
    reasons.push('credit hold is on in the ERP')
  } else if (
    oldestDpd > STANDING_RULES.atRiskDaysPastDue ||
    failedPayments >= STANDING_RULES.atRiskFailedPayments
  ) {
    standing = 'at_risk'
    if (oldestDpd > STANDING_RULES.atRiskDaysPastDue)
      reasons.push(`oldest open invoice is ${oldestDpd} days past due`)
    if (failedPayments >= STANDING_RULES.atRiskFailedPayments)
      reasons.push(`${failedPayments} failed payments on open invoices`)
  } else if (oldestDpd > 0 || failedPayments > 0) {
    standing = 'watch'
    if (oldestDpd > 0) reasons.push(`an open invoice is ${oldestDpd} days past due`)
    if (failedPayments > 0)
      reasons.push(
        `${failedPayments} failed payment${failedPayments > 1 ? 's' : ''} on open invoices`,
      )
  }

  return {
    accountId: input.accountId,
    standing,
    reasons,
    exposures: [...exposures.values()].sort(
      (a, b) => b.openBalance - a.openBalance || a.currency.localeCompare(b.currency),
    ),
    daysPastDue: oldestDpd,
    lastPayment: paid?.paidAt
      ? {
          date: paid.paidAt.slice(0, 10),
          amount: paid.amount - paid.amountRefunded,
          currency: paid.currency,
        }
      : undefined,
    failedPayments,
    creditHold,
    asOf: asOf.toISOString(),
  }
}
