import * as z from 'zod/mini'
import { Currency } from './finance.ts'
import { AccountId, UserId } from './salesforce-id.ts'
import { CREDIT_NOTE_REASONS } from './salesforce-schema.ts'

/**
 * Credit notes and refunds (`POST /v1/credits`, `POST /v1/refunds`): governed money actions that
 * always wait for a second person. Amounts are in the currency's minor unit (cents), as billing
 * keeps them; the currency is stated by the requester and must match the document's.
 */

const VendorId = z.string().check(z.trim(), z.minLength(1), z.maxLength(80))
const Positive = z.int().check(z.positive('must be a positive amount in minor units (cents)'))
const Memo = z.string().check(z.trim(), z.maxLength(500))

/** Stripe's credit note reasons (https://docs.stripe.com/api/credit_notes/object#credit_note_object-reason). */
export const CREDIT_REASONS = CREDIT_NOTE_REASONS
/** Stripe's refund reasons (https://docs.stripe.com/api/refunds/create#create_refund-reason). */
export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const

/** One invoice line to credit: all of it, a quantity of it, or an amount of it. */
export const CreditLine = z.object({
  lineId: VendorId,
  quantity: z.optional(Positive),
  amount: z.optional(Positive),
})
export type CreditLine = z.infer<typeof CreditLine>

/** `POST /v1/credits`: a credit note on a billing invoice, by amount or by lines (not both). */
export const CreditRequestInput = z
  .object({
    accountId: AccountId,
    invoiceId: VendorId,
    currency: Currency,
    amount: z.optional(Positive),
    lines: z.optional(z.array(CreditLine).check(z.minLength(1), z.maxLength(50))),
    reason: z.enum(CREDIT_REASONS),
    memo: z.optional(Memo),
  })
  .check(
    z.refine((v) => (v.amount === undefined) !== (v.lines === undefined), {
      message: 'give either amount or lines, not both',
      path: ['amount'],
    }),
  )
export type CreditRequestInput = z.infer<typeof CreditRequestInput>

/** `POST /v1/refunds`: a refund of a billing payment, all that is left of it unless `amount`. */
export const RefundRequestInput = z.object({
  accountId: AccountId,
  paymentId: VendorId,
  currency: Currency,
  amount: z.optional(Positive),
  reason: z.enum(REFUND_REASONS),
  memo: z.optional(Memo),
})
export type RefundRequestInput = z.infer<typeof RefundRequestInput>

/** A money request as the ledger keeps it: which one, and what was asked. */
export type MoneyRequest =
  ({ kind: 'credit' } & CreditRequestInput) | ({ kind: 'refund' } & RefundRequestInput)

/**
 * `POST /v1/salesforce/money` (signed by Apex): a credit or refund asked from Salesforce, on
 * behalf of the user named. The approver is a Concord operator with the `approver` role.
 */
export const SalesforceMoneyInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('credit'), requestedBy: UserId, request: CreditRequestInput }),
  z.object({ kind: z.literal('refund'), requestedBy: UserId, request: RefundRequestInput }),
])
export type SalesforceMoneyInput = z.infer<typeof SalesforceMoneyInput>
