import type { MirrorRow, RowsPage } from '../../connectors/salesforce/mirror-rows.ts'
import type { DocumentObject, DocumentPage } from '../../connectors/salesforce/document-rows.ts'
import type { ErpInvoiceRow, ErpOrderRow } from '../../connectors/netsuite/order-rows.ts'
import type { BillingSubscription } from '../../connectors/types.ts'
import type { Invoice, Payment } from '../../../shared/index.ts'
import type { ErpOrderView, RerunAnswer } from '../../ledger/erp-repair.ts'
import type { HeldDocument } from '../../ledger/finance-book.ts'
import type { ExceptionEntry } from '../../ledger/journal.ts'
import type { BillingEventRef, StripeEventEnvelope } from '../../webhooks/stripe-events.ts'

export type { MirrorRow }

/** Why Salesforce and billing disagree, as the reconciler tells it. */
export type DriftCause =
  /** Stripe has an event the account's ledger never recorded: its webhook was lost. */
  | 'lost_webhook'
  /** A person changed a mirror Concord owns (`LastModifiedById` is not the integration user). */
  | 'hand_edit'
  /** The mirror lags billing though only Concord wrote it (a write that never landed). */
  | 'stale_mirror'
  /** A subscription Concord made (it carries its Salesforce key) has no mirror. */
  | 'missing_mirror'
  /** A billing subscription with no Salesforce counterpart: made outside Salesforce. */
  | 'unowned_subscription'
  /** A mirror names a billing subscription its customer does not have. */
  | 'orphan_mirror'
  /** The ledger applied an amendment, but the ERP order its ERP step made is gone. */
  | 'lost_erp_step'
  /** Someone changed an ERP order Concord made, in the ERP: not Concord's to overwrite. */
  | 'erp_edit'
  /** An ERP invoice of a billing invoice disagrees with it (amount, or what is unpaid). */
  | 'erp_mismatch'

/** What the reconciler did about a finding. */
export type DriftAction =
  /** Handed to the account's ledger, which rewrites or re-reads exactly once. */
  | 'repair_requested'
  /** Not Concord's to repair: raised in the exception queue. */
  | 'exception'
  /** A run without repair: reported only. */
  | 'reported'

export interface FieldDiff {
  field: string
  salesforce?: string | number | null
  billing?: string | number | null
  /** An ERP order's field: what Concord wrote, and what the ERP holds now. */
  concord?: string | number | null
  netsuite?: string | number | null
}

export interface DriftFinding {
  accountId?: string
  object: 'event' | 'subscription' | 'invoice' | 'payment' | 'sales_order'
  /**
   * The billing event, subscription, invoice or payment id, the Salesforce row id of an orphan,
   * or the external id of an ERP order.
   */
  id: string
  cause: DriftCause
  action: DriftAction
  fields?: FieldDiff[]
  detail?: string
}

export type DriftSystem = 'stripe' | 'salesforce' | 'netsuite' | 'ledger'

/** One run: what was compared, what differed and why, what was done, and what it cost. */
export interface DriftReport {
  runId: string
  trigger: 'schedule' | 'operator'
  scope: string
  repair: boolean
  startedAt: string
  finishedAt: string
  /** Calls made per system (HTTP calls to vendors; RPCs to account ledgers). */
  calls: Record<DriftSystem, number>
  checked: {
    events: number
    editedRows: number
    accounts: number
    subscriptions: number
    invoices: number
    payments: number
    erpOrders: number
    /** NetSuite invoices found under billing invoice ids and compared. */
    erpInvoices: number
  }
  findings: DriftFinding[]
  /** Work left for the next sweep (a budget reached, a vendor not configured or failing). */
  deferred: string[]
}

/** The vendors' reads the reconciler compares, each counted per call. */
export interface DriftSources {
  stripe: {
    events(q: { gte: number; lte: number; after?: string }): Promise<{
      events: StripeEventEnvelope[]
      next?: string
    }>
    subscription(id: string): Promise<BillingSubscription | undefined>
    subscriptionsOf(customerId: string): Promise<BillingSubscription[]>
    mappedCustomers(
      limit: number,
      after?: string,
    ): Promise<{ customers: Array<{ customerId: string; accountId: string }>; next?: string }>
    accountOfCustomer(customerId: string): Promise<string | undefined>
    customerOfInvoice(invoiceId: string): Promise<string | undefined>
    /** A customer's newest invoices (one page of `limit`), drafts left out. */
    invoicesOf(customerId: string, accountId: string, limit: number): Promise<Invoice[]>
    /** A customer's newest payments (charges), one page of `limit`. */
    paymentsOf(customerId: string, accountId: string, limit: number): Promise<Payment[]>
    invoice(id: string, accountId: string): Promise<Invoice | undefined>
    payment(id: string, accountId: string): Promise<Payment | undefined>
  }
  salesforce: {
    integrationUserId(): Promise<string>
    editedSince(sinceMs: number, userId: string, next?: string): Promise<RowsPage>
    ofAccounts(accountIds: readonly string[], next?: string): Promise<RowsPage>
    documents(
      object: DocumentObject,
      accountIds: readonly string[],
      next?: string,
    ): Promise<DocumentPage>
    documentsEditedSince(
      object: DocumentObject,
      sinceMs: number,
      userId: string,
      next?: string,
    ): Promise<DocumentPage>
    /** False once Concord has spent half its share of the org's API allocation. */
    withinBudget(): Promise<boolean>
  }
  netsuite: {
    /** One SuiteQL page of a customer's Concord sales orders. */
    orders(
      customerId: string,
      limit: number,
      offset: number,
    ): Promise<{ rows: ErpOrderRow[]; hasMore: boolean }>
    /** The customer's NetSuite invoices carrying these billing invoice ids (one SuiteQL call). */
    invoices(customerId: string, billingInvoiceIds: readonly string[]): Promise<ErpInvoiceRow[]>
  }
  /** HTTP calls made through these sources so far. */
  calls(): { stripe: number; salesforce: number; netsuite: number }
}

/** Where repairs go: the account ledgers, and the registry's directory and exception queue. */
export interface DriftTargets {
  ledger(accountId: string): {
    unseenBillingEvents(ids: string[]): Promise<string[]>
    recordBillingEvents(
      accountId: string,
      events: BillingEventRef[],
    ): Promise<Array<'queued' | 'duplicate'>>
    repairSubscription(accountId: string, subscriptionId: string): Promise<void>
    repairDocuments(
      accountId: string,
      refs: Array<{ kind: 'invoice' | 'payment'; id: string }>,
    ): Promise<void>
    heldDocuments(kind: 'invoice' | 'payment', ids: string[]): Promise<Record<string, HeldDocument>>
    erpOrders(): Promise<{ erpCustomerId?: string; orders: ErpOrderView[] }>
    rerunErpOrder(amendmentId: string, seenMissingAt: number): Promise<RerunAnswer>
  }
  registry: {
    lookupCustomer(customerId: string): Promise<string | undefined>
    customerOf(accountId: string): Promise<string | undefined>
    upsertExceptions(entries: ExceptionEntry[]): Promise<void>
  }
}
