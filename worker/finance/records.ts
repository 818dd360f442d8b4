import type { FinancialStanding, Invoice, Payment } from '../../shared/index.ts'
import { accountLookup, fitText, type SObjectFields } from '../connectors/salesforce/records.ts'
import type { WriteRecord } from '../writer/types.ts'
import type { SubscriptionSnapshot } from '../webhooks/stripe-events.ts'

/** ISO 4217 currencies without minor units: Salesforce Currency fields hold major units. */
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
])

/** Minor units (billing's integers) → the decimal Salesforce shows. */
export function toMajor(amount: number, currency: string): number {
  return ZERO_DECIMAL.has(currency.toUpperCase()) ? amount : Math.round(amount) / 100
}

const ms = (iso: string) => Date.parse(iso)

function record<
  O extends 'Billing_Invoice__c' | 'Billing_Payment__c' | 'Billing_Subscription__c' | 'Account',
>(
  object: O,
  externalIdField: string,
  externalId: string,
  fields: SObjectFields<O>,
  sourceUpdatedAt: number,
  accountId: string,
): WriteRecord {
  const clean = Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  ) as WriteRecord['fields']
  return { object, externalIdField, externalId, fields: clean, sourceUpdatedAt, accountId }
}

export function invoiceRecord(inv: Invoice): WriteRecord {
  return record(
    'Billing_Invoice__c',
    'External_Id__c',
    inv.id,
    {
      Account__c: accountLookup(inv.accountId),
      Number__c: fitText('Billing_Invoice__c', 'Number__c', inv.number),
      Status__c: inv.status,
      Amount_Due__c: toMajor(inv.amountDue, inv.currency),
      Amount_Paid__c: toMajor(inv.amountPaid, inv.currency),
      Amount_Remaining__c: toMajor(inv.amountRemaining, inv.currency),
      Currency_Iso__c: inv.currency,
      Issued_Date__c: inv.issuedDate ?? null,
      Due_Date__c: inv.dueDate ?? null,
      Hosted_Url__c: inv.hostedUrl ?? null,
      Erp_Document_Id__c: fitText('Billing_Invoice__c', 'Erp_Document_Id__c', inv.erpDocumentId),
      Correlation_Id__c: fitText('Billing_Invoice__c', 'Correlation_Id__c', inv.correlationId),
      Source_Updated_At__c: inv.sourceUpdatedAt,
    },
    ms(inv.sourceUpdatedAt),
    inv.accountId,
  )
}

export function paymentRecord(p: Payment): WriteRecord {
  return record(
    'Billing_Payment__c',
    'External_Id__c',
    p.id,
    {
      Account__c: accountLookup(p.accountId),
      // The invoice is upserted first in the same flush (the writer packs invoices before payments).
      Invoice__r: p.invoiceId ? { External_Id__c: p.invoiceId } : undefined,
      Amount__c: toMajor(p.amount, p.currency),
      Currency_Iso__c: p.currency,
      Status__c: p.status,
      Paid_At__c: p.paidAt ?? null,
      Method__c: fitText('Billing_Payment__c', 'Method__c', p.method),
      Failure_Reason__c: fitText('Billing_Payment__c', 'Failure_Reason__c', p.failureReason),
      Source_Updated_At__c: p.sourceUpdatedAt,
    },
    ms(p.sourceUpdatedAt),
    p.accountId,
  )
}

/**
 * The Account's standing fields. Each Account field holds one amount, so they show the primary
 * currency (the Account's own when it has exposure in it, else the largest); amounts in other
 * currencies are never added in, and the reasons name them.
 */
export function standingRecord(
  s: FinancialStanding,
  opts: { accountCurrency?: string; billingCustomerId?: string; erpCustomerId?: string } = {},
): WriteRecord {
  const { accountCurrency } = opts
  const primary = s.exposures.find((e) => e.currency === accountCurrency) ?? s.exposures[0]
  const cur = primary?.currency ?? accountCurrency ?? 'USD'
  const major = (n: number | undefined) => toMajor(n ?? 0, cur)
  return record(
    'Account',
    'Id',
    s.accountId,
    {
      Concord_Standing__c: s.standing,
      Concord_Balance__c: major(primary?.openBalance),
      Concord_Overdue__c: major(primary?.overdue),
      Concord_Aging_Current__c: major(primary?.aging.current),
      Concord_Aging_1_30__c: major(primary?.aging.days1To30),
      Concord_Aging_31_60__c: major(primary?.aging.days31To60),
      Concord_Aging_61_90__c: major(primary?.aging.days61To90),
      Concord_Aging_90_Plus__c: major(primary?.aging.days90Plus),
      Concord_Days_Past_Due__c: s.daysPastDue,
      Concord_Last_Payment_Date__c: s.lastPayment?.date ?? null,
      Concord_Last_Payment_Amount__c: s.lastPayment
        ? toMajor(s.lastPayment.amount, s.lastPayment.currency)
        : null,
      Concord_Failed_Payments__c: s.failedPayments,
      Concord_Credit_Hold__c: s.creditHold,
      Concord_As_Of__c: s.asOf,
      // The cross-references ride on the same record: one Account write, never two competing ones.
      Concord_Billing_Customer_Id__c: opts.billingCustomerId
        ? fitText('Account', 'Concord_Billing_Customer_Id__c', opts.billingCustomerId)
        : undefined,
      Concord_Erp_Customer_Id__c: opts.erpCustomerId
        ? fitText('Account', 'Concord_Erp_Customer_Id__c', opts.erpCustomerId)
        : undefined,
    },
    ms(s.asOf),
    s.accountId,
  )
}

/**
 * The `Billing_Subscription__c` mirror from a subscription webhook, keyed by the Salesforce-side
 * `Subscription_Key__c` when billing carries it (Concord sets it in metadata), else by the
 * billing id. Sequence fields are left to Salesforce and the saga.
 */
export function subscriptionRecord(
  s: SubscriptionSnapshot,
  accountId: string,
  sourceUpdatedAt: number,
): WriteRecord {
  const byKey = !!s.subscriptionKey
  return record(
    'Billing_Subscription__c',
    byKey ? 'Subscription_Key__c' : 'External_Id__c',
    byKey ? (s.subscriptionKey as string) : s.billingId,
    {
      Account__c: accountLookup(accountId),
      External_Id__c: byKey ? s.billingId : undefined,
      Status__c: s.status,
      Current_Period_End__c: s.currentPeriodEnd ?? null,
      Quantity__c: s.quantity ?? null,
      Currency_Iso__c: s.currency ?? null,
      Source_Updated_At__c: new Date(sourceUpdatedAt).toISOString(),
    },
    sourceUpdatedAt,
    accountId,
  )
}
