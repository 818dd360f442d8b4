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

type StandingInput = {
  accountId: string
  invoices: Invoice[]
  payments: Payment[]
  erp?: ErpFacts
  asOf: Date
}

/** What is owed, per currency and aging bucket, and how late the oldest open document is. */
function exposuresOf(input: StandingInput): {
  exposures: CurrencyExposure[]
  oldestDpd: number
  openInvoiceIds: Set<string>
} {
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
  const sorted = [...exposures.values()].sort(
    (a, b) => b.openBalance - a.openBalance || a.currency.localeCompare(b.currency),
  )
  return { exposures: sorted, oldestDpd, openInvoiceIds }
}

/**
 * Per open invoice: the invoice's own count of failed attempts when billing keeps one, else the
 * failed payments linked to it; never both, so nothing is counted twice.
 */
function failedAttempts(input: StandingInput, openInvoiceIds: Set<string>): number {
  let failed = 0
  for (const invoice of input.invoices) {
    if (!openInvoiceIds.has(invoice.id)) continue
    failed +=
      invoice.failedPaymentAttempts ??
      input.payments.filter((p) => p.status === 'failed' && p.invoiceId === invoice.id).length
  }
  return failed
}

/** The first rule of `STANDING_RULES` that matches, with the reasons a rep reads. */
function judge(facts: { creditHold: boolean; oldestDpd: number; failedPayments: number }): {
  standing: Standing
  reasons: string[]
} {
  const { creditHold, oldestDpd, failedPayments } = facts
  const late = oldestDpd > STANDING_RULES.atRiskDaysPastDue
  const failing = failedPayments >= STANDING_RULES.atRiskFailedPayments
  if (creditHold) return { standing: 'hold', reasons: ['credit hold is on in the ERP'] }
  if (late || failing) {
    const reasons: string[] = []
    if (late) reasons.push(`oldest open invoice is ${oldestDpd} days past due`)
    if (failing) reasons.push(`${failedPayments} failed payments on open invoices`)
    return { standing: 'at_risk', reasons }
  }
  const reasons: string[] = []
  if (oldestDpd > 0) reasons.push(`an open invoice is ${oldestDpd} days past due`)
  if (failedPayments > 0)
    reasons.push(
      `${failedPayments} failed payment${failedPayments > 1 ? 's' : ''} on open invoices`,
    )
  return { standing: reasons.length > 0 ? 'watch' : 'good', reasons }
}

/** The newest successful payment, net of refunds. */
function lastPaymentOf(payments: Payment[]): FinancialStanding['lastPayment'] {
  const paid = payments
    .filter((p) => (p.status === 'succeeded' || p.status === 'partially_refunded') && p.paidAt)
    .sort((a, b) => (a.paidAt ?? '').localeCompare(b.paidAt ?? ''))
    .at(-1)
  if (!paid?.paidAt) return undefined
  return {
    date: paid.paidAt.slice(0, 10),
    amount: paid.amount - paid.amountRefunded,
    currency: paid.currency,
  }
}

/**
 * Computes an account's standing from billing invoices and payments and the ERP's AR facts.
 * Billing owns the documents (status, amounts invoiced, due dates); the ERP owns what is still
 * owed and the credit hold, so where the ERP has an invoice its remaining amount wins. Amounts
 * stay in their currency: one exposure per currency, never summed across them.
 */
export function computeStanding(input: StandingInput): FinancialStanding {
  const { exposures, oldestDpd, openInvoiceIds } = exposuresOf(input)
  const failedPayments = failedAttempts(input, openInvoiceIds)
  const creditHold = input.erp?.creditHold ?? false
  const { standing, reasons } = judge({ creditHold, oldestDpd, failedPayments })
  return {
    accountId: input.accountId,
    standing,
    reasons,
    exposures,
    daysPastDue: oldestDpd,
    lastPayment: lastPaymentOf(input.payments),
    failedPayments,
    creditHold,
    asOf: input.asOf.toISOString(),
  }
}
