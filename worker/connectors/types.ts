import type { Amendment, CatalogEntry, CreditNote, Invoice, Payment } from '../../shared/index.ts'
import type { MoneyConnectors } from './money.ts'
import type { PlannedCall } from './planned-call.ts'
import type { UsageConnectors } from './usage.ts'

/**
 * The system layer as the saga sees it. Only connectors know vendor shapes; everything above
 * speaks the canonical model. Every write takes an idempotency key that reads like what it
 * guards (`${amendmentId}:billing`), so a retried step can never apply twice.
 */

/** The Account facts the customer records are created from. */
export interface AccountProfile {
  accountId: string
  name: string
  /** The Account's billing email (`Concord_Billing_Email__c`): find-before-create matches by it. */
  email?: string
  /**
   * Accounts Salesforce merged into this one: find-before-create also looks for their customers
   * (one whose create took effect but lost its answer before the merge was never handed over).
   */
  mergedAccountIds?: string[]
  /** The ERP external id of the customer when not the account id (after a re-parenting). */
  erpExternalId?: string
  currency?: string
  legalEntity?: string
  billingAddress?: {
    street?: string
    city?: string
    postalCode?: string
    state?: string
    country?: string
  }
  /** Tax (from the Account, read when tax is on): Stripe's `tax_exempt` and the customer's tax id. */
  taxExempt?: 'none' | 'exempt' | 'reverse'
  taxId?: { type: string; value: string }
}

export interface StepContext {
  idempotencyKey: string
  correlationId: string
  /**
   * The earliest the key can have been used (ms since epoch): a vendor that forgets keys after
   * a while (Stripe: 24 hours) knows from it whether the key alone still covers every earlier try.
   */
  keyFirstUsedAt?: number
}

/** The subscription as billing knows it after a step, for the next steps and the mirror record. */
export interface BillingResult {
  subscriptionId: string
  /** What this step did in billing, for `Billing_Ref__c` (e.g. `sub_123`, `sub_sched_9`). */
  ref: string
  status: 'active' | 'past_due' | 'canceled' | 'scheduled_cancel' | 'pending'
  currentPeriodEnd?: string
  currency?: string
  /**
   * Billing's answer to the step's last write, when it is fresh (not a replay of an earlier
   * answer under the same idempotency key): the subscription as it stands right after the change.
   * `snapshot` is opaque (the vendor's own object): handed back as `known` to the next
   * amendment's apply, it spares that apply the read it would plan from. `subscription` is the
   * same answer in canonical shape, for the mirror.
   */
  answer?: { snapshot: string; subscription: BillingSubscription }
  /** The subscription's latest invoice, where billing names it. */
  latestInvoiceId?: string
  /** Tax billing computed on the invoice this step produced (Stripe Tax), for the ERP order. */
  tax?: BillingTax
}

/** Tax on one invoice, per jurisdiction, as billing's tax engine computed it. */
export interface BillingTax {
  currency: string
  /** Minor units. */
  amount: number
  lines: Array<{
    /** e.g. `California`, `Germany`. */
    jurisdiction: string
    /** Percent applied (0 for an exempt or reverse-charged customer). */
    rate: number
    /** Why (`standard_rated`, `customer_exempt`, `reverse_charge`, …). */
    reason: string
    /** Minor units taxed, and the tax on them. */
    basis: number
    amount: number
  }>
}

export interface ProrationPreview {
  currency: string
  lines: Array<{
    description: string
    amount: number
    quantity?: number
    proration: boolean
    periodStart?: string
    periodEnd?: string
  }>
  subtotal: number
  total: number
  amountDue: number
  /** Tax in `total` (Stripe Tax), when billing computes it. */
  tax?: number
  /** Why that tax is what it is: Stripe's distinct `taxability_reason`s (`reverse_charge`, …). */
  taxReasons?: string[]
  /** Unix seconds the preview was priced at; pass it back so the applied change matches. */
  prorationDate?: number
}

export type { PlannedCall } from './planned-call.ts'

/** What a billing step would do now: its calls, planned from billing's current state, and their price. */
export interface BillingPlan {
  calls: PlannedCall[]
  preview: ProrationPreview
}

/** What an ERP step would write: one upsert by an external id. */
export interface ErpPlan {
  operation: 'upsert'
  record: string
  externalId: string
  customerId?: string
  itemId?: string
  quantity?: number
  /** Unit rate in major units, as the ERP stores it. */
  rate?: number
  /** What the step settles only when it runs (an item or quantity taken from an earlier order). */
  note?: string
}

/**
 * How `ensureCustomer` came to its customer: one Concord made or linked before (`account`, by
 * the account id it carries), the one customer Concord made for an Account merged into this one
 * (`merged`: taken as the merge would have handed it over), the one existing match of the
 * Account's email or name (`email`, `name`: linked, not duplicated), the one an operator chose
 * (`chosen`), or a new one (`created`). More than one match is refused as `ambiguous_customer`
 * (business), naming the candidates.
 */
export type CustomerMatch = 'account' | 'merged' | 'email' | 'name' | 'chosen' | 'created'

export interface BillingSystem {
  /**
   * Finds the customer (by the Salesforce account id it carries, the Account's own else a merged
   * Account's, then by email), links the one
   * match or creates it; `chosen` is the customer an operator picked among ambiguous candidates.
   * @throws ConnectorError business `ambiguous_customer` when several customers match.
   */
  ensureCustomer(
    account: AccountProfile,
    ctx: StepContext,
    chosen?: string,
  ): Promise<{ customerId: string; match?: CustomerMatch }>
  /**
   * Present where billing computes tax (Stripe Tax on): sets the customer's tax location, status
   * and id from the Account and checks billing can tax it, before a subscription is created.
   */
  prepareTax?(account: AccountProfile, customerId: string, ctx: StepContext): Promise<void>
  /** Applies one amendment; `subscriptionId` is known for every action but `create`. */
  applyAmendment(
    input: {
      amendment: Amendment
      customerId: string
      subscriptionId?: string
      price?: CatalogEntry
      prorationDate?: number
      /**
       * The `answer.snapshot` of the subscription's last apply: planned from it instead of a read.
       * A plan from it that billing refuses is a business error like any other; the caller
       * applies again without it (under a new key) to plan from a fresh read.
       */
      known?: string
    },
    ctx: StepContext,
  ): Promise<BillingResult>
  /** Prices an amendment without changing anything; `customerId` is absent before the first create. */
  previewAmendment(input: {
    amendment: Amendment
    customerId?: string
    subscriptionId?: string
    price?: CatalogEntry
  }): Promise<ProrationPreview>
  /**
   * A dry run of `applyAmendment` with the same input: reads billing's current state, plans the
   * calls the step would make and prices them at `priceAt` (unix seconds; the apply's own
   * `prorationDate` wins), changing nothing.
   */
  planAmendment(
    input: {
      amendment: Amendment
      customerId?: string
      subscriptionId?: string
      price?: CatalogEntry
      prorationDate?: number
      priceAt?: number
    },
    ctx: StepContext,
  ): Promise<BillingPlan>
}

export interface ErpSystem {
  /**
   * Finds the customer (by external id, the Account's own else a merged Account's, then by
   * name), links the one match or creates it;
   * `chosen` is the customer an operator picked among ambiguous candidates.
   * @throws ConnectorError business `ambiguous_customer` when several customers match.
   */
  ensureCustomer(
    account: AccountProfile & { billingCustomerId: string },
    ctx: StepContext,
    chosen?: string,
  ): Promise<{ customerId: string; subsidiaryId?: string; match?: CustomerMatch }>
  /** Records the amendment in the ERP by an upsert on an external id derived from the amendment. */
  recordAmendment(
    input: {
      amendment: Amendment
      customerId: string
      billing: BillingResult
      price?: CatalogEntry
      /** The line of the subscription's previous order, when the ledger kept it. */
      previous?: ErpLine
    },
    ctx: StepContext,
  ): Promise<{ ref: string; line?: ErpLine }>
  /** A dry run of `recordAmendment`: the record it would upsert, without a call. */
  planAmendment(input: {
    amendment: Amendment
    customerId?: string
    price?: CatalogEntry
  }): Promise<ErpPlan>
}

/**
 * One order line as the ERP recorded it: the subscription's position after an amendment. The
 * ledger keeps the last one, so an amendment without a price or quantity of its own (a seat
 * change, a cancel) takes the rest from it instead of reading the ERP.
 */
export interface ErpLine {
  itemId: string
  quantity?: number
  rate?: number
}

/**
 * What the saga reads from Salesforce: the Account it builds customers from. (Statuses and every
 * other write go to the OrgWriter as records: see `worker/writer/records/`.)
 */
export interface SalesforceSink {
  readAccount(accountId: string, correlationId: string): Promise<AccountProfile>
}

export interface Connectors {
  billing: BillingSystem
  billingReader: BillingReader
  erp: ErpSystem
  salesforce: SalesforceSink
  /** Credit notes and refunds; absent when billing or the ERP is not configured. */
  money?: MoneyConnectors
  /** Meter events and usage summaries; absent where no vendor is configured (usage then waits). */
  usage?: UsageConnectors
}

/** An OAuth access token for the org, shared by every Salesforce caller (REST and CometD). */
export interface SalesforceSession {
  accessToken: string
  instanceUrl: string
}

export interface SalesforceTokenSource {
  /** A current token, minting one if needed; concurrent callers share one mint. */
  session(): Promise<SalesforceSession>
  /** Drops `stale` (after `INVALID_SESSION_ID`) so the next `session()` mints anew. */
  invalidate(stale: SalesforceSession): void
}

/**
 * A billing subscription as billing holds it now, read the one way the saga's result reads it
 * (`concordStatus`, the latest item period), for the `Billing_Subscription__c` mirror.
 */
export interface BillingSubscription {
  id: string
  /** The Salesforce-side key, when billing carries it (Concord sets it in metadata). */
  subscriptionKey?: string
  status: BillingResult['status']
  /** False once it has ended for good (canceled, expired): a live one of the same key wins. */
  live: boolean
  /** Unix seconds; of two subscriptions with one key, the later-created is the current one. */
  created: number
  currentPeriodEnd?: string
  quantity?: number
  /** The billing price of its first item (Concord subscriptions carry one). */
  priceId?: string
  currency?: string
}

/** Billing's current view of the documents behind webhooks and backfills, in canonical shape. */
export interface BillingReader {
  /** The Salesforce account a billing customer belongs to (from its metadata), if any. */
  accountOfCustomer(customerId: string): Promise<string | undefined>
  /** One page of billing customers that name a Salesforce account, for a backfill of all. */
  listMappedCustomers(after?: string): Promise<{
    customers: Array<{ customerId: string; accountId: string }>
    hasMore: boolean
    nextCursor?: string
  }>
  invoice(id: string, accountId: string): Promise<Invoice>
  /** The payments applied to an invoice, each re-read so refunds and failures are current. */
  paymentsOfInvoice(invoiceId: string, accountId: string): Promise<Payment[]>
  payment(id: string, accountId: string): Promise<Payment>
  creditNote(id: string, accountId: string): Promise<CreditNote>
  /**
   * A subscription as billing holds it now; undefined for the id of what stands in for one that
   * has not started yet (a future-dated create's schedule), which has no mirror state of its own.
   */
  subscription(id: string): Promise<BillingSubscription | undefined>
  /** One page of a customer's invoices, newest first; `next` resumes after the last one. */
  listInvoices(
    customerId: string,
    accountId: string,
    after?: string,
  ): Promise<{ items: Invoice[]; next?: string }>
  /** One page of a customer's payments (charges), newest first. */
  listPayments(
    customerId: string,
    accountId: string,
    after?: string,
  ): Promise<{ items: Payment[]; next?: string }>
}
