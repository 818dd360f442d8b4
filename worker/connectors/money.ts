import type { PlannedCall } from './planned-call.ts'

/**
 * The money actions' ports (credit notes and refunds): what billing says can still be credited
 * or refunded, the calls that do it, and the ERP records that mirror them. Amounts are minor
 * units; currencies upper-case ISO codes.
 */

/** An invoice as far as crediting it goes. */
export interface CreditableInvoice {
  id: string
  customerId: string
  currency: string
  status: string
  total: number
  /** Its total less every credit note already issued on it. */
  creditable: number
  lines: Array<{
    id: string
    amount: number
    quantity: number
    description: string
    priceId?: string
  }>
}

/** A payment as far as refunding it goes. */
export interface RefundableCharge {
  id: string
  customerId: string
  currency: string
  status: 'succeeded' | 'pending' | 'failed'
  captured: boolean
  amount: number
  refunded: number
  /** What was captured less what was refunded. */
  refundable: number
  invoiceId?: string
}

export interface CreditNoteParams {
  invoiceId: string
  amount?: number
  lines?: Array<{ lineId: string; quantity?: number; amount?: number }>
  reason: string
  memo?: string
  metadata: Record<string, string>
}

export interface CreditNotePreview {
  amount: number
  currency: string
  prePaymentAmount: number
  postPaymentAmount: number
}

export interface RefundParams {
  chargeId: string
  amount: number
  reason: string
  metadata: Record<string, string>
}

/** Billing's side of money actions. Reads change nothing; writes take the request's key. */
export interface MoneyBilling {
  creditableInvoice(invoiceId: string): Promise<CreditableInvoice>
  previewCreditNote(params: CreditNoteParams): Promise<CreditNotePreview>
  /** The write `createCreditNote` makes, as data for the dry run. */
  creditNoteCall(params: CreditNoteParams, idempotencyKey: string): PlannedCall
  createCreditNote(
    params: CreditNoteParams,
    idempotencyKey: string,
  ): Promise<{ id: string; amount: number }>
  refundableCharge(chargeId: string): Promise<RefundableCharge>
  refundCall(params: RefundParams, idempotencyKey: string): PlannedCall
  createRefund(
    params: RefundParams,
    idempotencyKey: string,
  ): Promise<{ id: string; amount: number }>
}

/** One ERP document a money action records, upserted by its external id. */
export interface ErpMoneyRecord {
  record: 'creditmemo' | 'customerRefund'
  externalId: string
  customerId: string
  /** Major units, as the ERP stores amounts. */
  amount: number
  /** The ERP item a credit memo credits (the billed price's item). */
  itemId?: string
  memo: string
  /** The credit memo a refund pays out of. */
  creditMemoExternalId?: string
  /** The ERP invoice a credit memo is applied to, when the ERP holds it. */
  invoiceExternalId?: string
}

/** The ERP's side: credit memos and the customer refunds paid out of them. */
export interface MoneyErp {
  /** Upserts one record by external id (a retry writes the same record again); its internal id. */
  record(doc: ErpMoneyRecord): Promise<string>
}

export interface MoneyConnectors {
  billing: MoneyBilling
  erp: MoneyErp
}
