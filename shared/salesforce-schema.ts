/**
 * The Salesforce objects, fields and platform events that Concord reads and writes: one source
 * for the worker's record builders, the Salesforce emulator's schema and the check that the
 * `sfdx/` metadata declares every one of them with the same type (see CONTRACTS.md).
 */
export type SalesforceFieldType =
  | { type: 'Text'; length: number; externalId?: boolean; unique?: boolean }
  | { type: 'LongTextArea'; length: number }
  | { type: 'Number'; precision: number; scale: number }
  | { type: 'Currency'; precision: number; scale: number }
  | { type: 'Date' }
  | { type: 'DateTime' }
  | { type: 'Checkbox' }
  | { type: 'Url' }
  | { type: 'Picklist'; values: readonly string[] }
  | { type: 'Lookup'; referenceTo: string }

export interface SalesforceObjectSchema {
  /** `CustomObject`, `PlatformEvent`, or a standard object the worker adds fields to. */
  kind: 'CustomObject' | 'PlatformEvent' | 'StandardObject'
  fields: Readonly<Record<string, SalesforceFieldType>>
}

const text = (length: number) => ({ type: 'Text', length }) as const
const extId = (length: number) =>
  ({ type: 'Text', length, externalId: true, unique: true }) as const
const money = { type: 'Currency', precision: 16, scale: 2 } as const
const count = { type: 'Number', precision: 18, scale: 0 } as const
const date = { type: 'Date' } as const
const dateTime = { type: 'DateTime' } as const
const picklist = <const V extends readonly string[]>(values: V) =>
  ({ type: 'Picklist', values }) as const
const lookup = <const T extends string>(referenceTo: T) =>
  ({ type: 'Lookup', referenceTo }) as const

export const AMENDMENT_ACTIONS = [
  'create',
  'change_quantity',
  'change_price',
  'cancel',
  'renew',
] as const
export const PRORATION_MODES = ['create_prorations', 'always_invoice', 'none'] as const
export const CANCEL_MODES = ['at_period_end', 'immediately'] as const
export const SUBSCRIPTION_STATUSES = [
  'pending',
  'active',
  'past_due',
  'canceled',
  'scheduled_cancel',
] as const
/** Stripe's `tax_exempt` values, as the Account's `Tax_Exempt__c` picklist holds them. */
export const TAX_EXEMPT_VALUES = ['none', 'exempt', 'reverse'] as const

// Tax (issue 13 item 3), in its own block: what Stripe Tax needs from the Account (its billing
// address is standard) and the tax an invoice carries.
const TAX_ACCOUNT_FIELDS = {
  Tax_Exempt__c: picklist(TAX_EXEMPT_VALUES),
  Tax_Id__c: text(40),
  Tax_Id_Type__c: text(20),
} as const
const TAX_INVOICE_FIELDS = {
  Tax_Amount__c: money,
  Tax_Jurisdictions__c: text(255),
} as const

export const INVOICE_STATUSES = ['draft', 'open', 'paid', 'void', 'uncollectible'] as const
export const PAYMENT_STATUSES = ['succeeded', 'failed', 'refunded', 'partially_refunded'] as const
export const SYNC_STATUSES = [
  'received',
  'billed',
  'posted',
  'applied',
  'parked',
  'superseded',
  'rejected',
] as const
export const STANDINGS = ['good', 'watch', 'at_risk', 'hold'] as const
/** Stripe's credit note statuses and reasons (https://docs.stripe.com/api/credit_notes/object). */
export const CREDIT_NOTE_STATUSES = ['issued', 'void'] as const
export const CREDIT_NOTE_REASONS = [
  'duplicate',
  'fraudulent',
  'order_change',
  'product_unsatisfactory',
] as const

/** When a subscription counts as activated (README, "Activation"). */
export const ACTIVATION_RULES = ['on_create', 'on_first_invoice_paid', 'manual'] as const

export const SALESFORCE_SCHEMA = {
  Subscription_Amendment__e: {
    kind: 'PlatformEvent',
    fields: {
      Account_Id__c: text(18),
      Subscription_Key__c: text(80),
      Sequence__c: count,
      Action__c: text(40),
      Price_Key__c: text(255),
      Quantity__c: count,
      Effective_Date__c: date,
      Proration__c: text(40),
      Cancel_Mode__c: text(40),
      Correlation_Id__c: text(64),
      Requested_By__c: text(18),
      Proration_Date__c: count,
      Preview_Token__c: text(255),
      // Activation: read from the create only (README, "Activation").
      Activation_Rule__c: text(40),
    },
  },
  Concord_Refresh__e: {
    kind: 'PlatformEvent',
    fields: {
      // Buckets of the changed Accounts, never their ids (shared/refresh-bucket.ts): 256 at most.
      Buckets__c: { type: 'LongTextArea', length: 1024 },
      Reason__c: text(40),
    },
  },
  // Activation (README, "Activation"): one per activated subscription, for provisioning flows.
  Concord_Activation__e: {
    kind: 'PlatformEvent',
    fields: {
      Subscription_Key__c: text(80),
      Account_Id__c: text(18),
      Rule__c: text(40),
      Activated_At__c: dateTime,
      Correlation_Id__c: text(64),
    },
  },
  Billing_Subscription__c: {
    kind: 'CustomObject',
    fields: {
      Account__c: lookup('Account'),
      Subscription_Key__c: extId(80),
      External_Id__c: extId(255),
      Price_Key__c: text(255),
      Quantity__c: count,
      Status__c: picklist(SUBSCRIPTION_STATUSES),
      Current_Period_End__c: date,
      Currency_Iso__c: text(3),
      Last_Sequence__c: count,
      Applied_Sequence__c: count,
      Source_Updated_At__c: dateTime,
      Usage_Period__c: text(7),
      Usage_Summary__c: text(255),
      // Activation (README, "Activation").
      Activation_Rule__c: picklist(ACTIVATION_RULES),
      Activated_At__c: dateTime,
    },
  },
  Billing_Invoice__c: {
    kind: 'CustomObject',
    fields: {
      Account__c: lookup('Account'),
      External_Id__c: extId(255),
      Number__c: text(80),
      Status__c: picklist(INVOICE_STATUSES),
      Amount_Due__c: money,
      Amount_Paid__c: money,
      Amount_Remaining__c: money,
      Currency_Iso__c: text(3),
      Issued_Date__c: date,
      Due_Date__c: date,
      Hosted_Url__c: { type: 'Url' },
      Erp_Document_Id__c: text(80),
      Source_Updated_At__c: dateTime,
      Correlation_Id__c: text(64),
      ...TAX_INVOICE_FIELDS,
    },
  },
  Billing_Payment__c: {
    kind: 'CustomObject',
    fields: {
      Account__c: lookup('Account'),
      Invoice__c: lookup('Billing_Invoice__c'),
      External_Id__c: extId(255),
      Amount__c: money,
      Amount_Refunded__c: money,
      Currency_Iso__c: text(3),
      Status__c: picklist(PAYMENT_STATUSES),
      Paid_At__c: dateTime,
      Method__c: text(40),
      Failure_Reason__c: text(255),
      Source_Updated_At__c: dateTime,
    },
  },
  // Credit notes (issue 13 item 2): Stripe's document, and the NetSuite credit memo Concord made.
  Billing_Credit_Note__c: {
    kind: 'CustomObject',
    fields: {
      Account__c: lookup('Account'),
      Invoice__c: lookup('Billing_Invoice__c'),
      External_Id__c: extId(255),
      Number__c: text(80),
      Amount__c: money,
      Amount_Refunded__c: money,
      Currency_Iso__c: text(3),
      Reason__c: picklist(CREDIT_NOTE_REASONS),
      Status__c: picklist(CREDIT_NOTE_STATUSES),
      Erp_Credit_Memo_Id__c: text(80),
      Created_At__c: dateTime,
      Source_Updated_At__c: dateTime,
    },
  },
  Subscription_Sync__c: {
    kind: 'CustomObject',
    fields: {
      External_Id__c: extId(64),
      Account__c: lookup('Account'),
      Subscription_Key__c: text(80),
      Sequence__c: count,
      Action__c: text(40),
      Status__c: picklist(SYNC_STATUSES),
      Error_Code__c: text(80),
      Error_Message__c: text(255),
      Correlation_Id__c: text(64),
      Billing_Ref__c: text(255),
      Erp_Ref__c: text(255),
      Updated_At__c: dateTime,
    },
  },
  Account: {
    kind: 'StandardObject',
    fields: {
      Concord_Standing__c: picklist(STANDINGS),
      Concord_Balance__c: money,
      Concord_Overdue__c: money,
      Concord_Aging_Current__c: money,
      Concord_Aging_1_30__c: money,
      Concord_Aging_31_60__c: money,
      Concord_Aging_61_90__c: money,
      Concord_Aging_90_Plus__c: money,
      Concord_Days_Past_Due__c: count,
      Concord_Last_Payment_Date__c: date,
      Concord_Last_Payment_Amount__c: money,
      Concord_Failed_Payments__c: count,
      Concord_Credit_Hold__c: { type: 'Checkbox' },
      Concord_As_Of__c: dateTime,
      Concord_Billing_Customer_Id__c: text(255),
      Concord_Erp_Customer_Id__c: text(80),
      Concord_Legal_Entity__c: text(80),
      ...TAX_ACCOUNT_FIELDS,
      // Account changes (issue 13.5): find-before-create matches a billing customer by it.
      Concord_Billing_Email__c: text(80),
    },
  },
} as const satisfies Record<string, SalesforceObjectSchema>

export type SalesforceObjectName = keyof typeof SALESFORCE_SCHEMA
export type SalesforceFieldName<O extends SalesforceObjectName> =
  keyof (typeof SALESFORCE_SCHEMA)[O]['fields'] & string

/**
 * The mirror objects the package guards against moving back in time, and the field holding the
 * source time of what each record shows: a before-update trigger (`ConcordStaleGuard`) leaves a
 * record unchanged when an update carries an older source time than it holds — a Composite call
 * of a dead OrgWriter landing after its successor's newer one. An update without a source time
 * (a person's edit) or with the same one applies. The emulators apply the same rule.
 */
export const STALE_GUARDS = {
  Subscription_Sync__c: 'Updated_At__c',
  Billing_Subscription__c: 'Source_Updated_At__c',
  Billing_Invoice__c: 'Source_Updated_At__c',
  Billing_Payment__c: 'Source_Updated_At__c',
} as const satisfies { [O in SalesforceObjectName]?: SalesforceFieldName<O> }

/** Milliseconds of a Salesforce DateTime as REST or the worker writes it (`+0000` or `Z`). */
const instant = (v: unknown): number =>
  typeof v === 'string' ? Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : Number.NaN

/** True when the package's guard keeps `held` as it is against an update writing `values`. */
export function staleUpdate(
  object: string,
  held: Readonly<Record<string, unknown>>,
  values: Readonly<Record<string, unknown>>,
): boolean {
  const stamp = (STALE_GUARDS as Readonly<Record<string, string>>)[object]
  if (stamp === undefined) return false
  return instant(values[stamp]) < instant(held[stamp])
}
