import * as z from 'zod/mini'
import { AccountId } from './salesforce-id.ts'
import {
  CREDIT_NOTE_REASONS,
  INVOICE_STATUSES,
  PAYMENT_STATUSES,
  STANDINGS,
} from './salesforce-schema.ts'
import './zod-messages.ts'

/** ISO 4217 code, upper case. */
export const Currency = z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD'))
export type Currency = z.infer<typeof Currency>
/** An amount in the currency's minor unit (cents), as billing systems keep it. */
export const MinorAmount = z.int()
const count = () => z.int().check(z.nonnegative())
const dateTime = () => z.iso.datetime({ offset: true })

/** The one customer seen from the three systems, linked by ids each side can search by. */
export const CustomerXref = z.object({
  accountId: AccountId,
  billingCustomerId: z.optional(z.string().check(z.minLength(1))),
  erpCustomerId: z.optional(z.string().check(z.minLength(1))),
  /** The ERP subsidiary chosen from the Account's legal entity. */
  erpSubsidiaryId: z.optional(z.string()),
})
export type CustomerXref = z.infer<typeof CustomerXref>

export const InvoiceStatus = z.enum(INVOICE_STATUSES)
export type InvoiceStatus = z.infer<typeof InvoiceStatus>

/** An invoice document; billing is the source of truth for everything but ERP's AR fields. */
export const Invoice = z.object({
  id: z.string(),
  accountId: AccountId,
  number: z.optional(z.string()),
  status: InvoiceStatus,
  currency: Currency,
  amountDue: MinorAmount,
  amountPaid: MinorAmount,
  amountRemaining: MinorAmount,
  issuedDate: z.optional(z.iso.date()),
  dueDate: z.optional(z.iso.date()),
  hostedUrl: z.optional(z.url()),
  erpDocumentId: z.optional(z.string()),
  correlationId: z.optional(z.string()),
  /** Failed collection attempts on this invoice (billing counts them on the invoice). */
  failedPaymentAttempts: z.optional(count()),
  /** Tax included in the total (billing's tax engine), when it computed any. */
  taxAmount: z.optional(MinorAmount),
  /** Where that tax is owed: `California 7.25%; …` (a reason after a zero rate). */
  taxJurisdictions: z.optional(z.string()),
  /** The billing subscription it bills, and why billing made it (activation on first payment). */
  subscriptionId: z.optional(z.string()),
  billingReason: z.optional(z.string()),
  /** When the source last changed it: newer always wins, older never overwrites. */
  sourceUpdatedAt: dateTime(),
})
export type Invoice = z.infer<typeof Invoice>

export const PaymentStatus = z.enum(PAYMENT_STATUSES)
export type PaymentStatus = z.infer<typeof PaymentStatus>

export const Payment = z.object({
  id: z.string(),
  accountId: AccountId,
  invoiceId: z.optional(z.string()),
  status: PaymentStatus,
  currency: Currency,
  amount: MinorAmount,
  amountRefunded: z._default(MinorAmount, 0),
  paidAt: z.optional(dateTime()),
  method: z.optional(z.string()),
  failureReason: z.optional(z.string()),
  sourceUpdatedAt: dateTime(),
})
export type Payment = z.infer<typeof Payment>

export const CreditNote = z.object({
  id: z.string(),
  accountId: AccountId,
  invoiceId: z.optional(z.string()),
  status: z.enum(['issued', 'void']),
  currency: Currency,
  amount: MinorAmount,
  /** Stripe's document number (`ABCD-0001-CN-01`). */
  number: z.optional(z.string()),
  reason: z.optional(z.enum(CREDIT_NOTE_REASONS)),
  /** What was refunded to the customer's payment method out of it (minor units). */
  amountRefunded: z.optional(MinorAmount),
  createdAt: z.optional(dateTime()),
  sourceUpdatedAt: dateTime(),
})
export type CreditNote = z.infer<typeof CreditNote>

export const Standing = z.enum(STANDINGS)
export type Standing = z.infer<typeof Standing>

/** Money owed in one currency, split by age; amounts in different currencies are never summed. */
export const CurrencyExposure = z.object({
  currency: Currency,
  openBalance: MinorAmount,
  overdue: MinorAmount,
  aging: z.object({
    current: MinorAmount,
    days1To30: MinorAmount,
    days31To60: MinorAmount,
    days61To90: MinorAmount,
    days90Plus: MinorAmount,
  }),
})
export type CurrencyExposure = z.infer<typeof CurrencyExposure>

/** What a rep sees on the Account: how the customer stands, as of when. */
export const FinancialStanding = z.object({
  accountId: AccountId,
  standing: Standing,
  /** The reasons the rules gave for `standing`, in words an admin can check against the README. */
  reasons: z.array(z.string()),
  exposures: z.array(CurrencyExposure),
  daysPastDue: count(),
  lastPayment: z.optional(
    z.object({ date: z.iso.date(), amount: MinorAmount, currency: Currency }),
  ),
  failedPayments: count(),
  creditHold: z.boolean(),
  asOf: dateTime(),
})
export type FinancialStanding = z.infer<typeof FinancialStanding>
