import type { FinancialStanding } from '../../../shared/index.ts'
import type { WriteRecordOf } from '../types.ts'
import { fitText, writeRecord } from './fields.ts'
import { toMajor } from '../../lib/currency.ts'

/**
 * The Account's standing fields. Each Account field holds one amount, so they show the primary
 * currency (the Account's own when it has exposure in it, else the largest); amounts in other
 * currencies are never added in, and the reasons name them.
 */
export function standingRecord(
  s: FinancialStanding,
  opts: { accountCurrency?: string; billingCustomerId?: string; erpCustomerId?: string } = {},
): WriteRecordOf<'Account'> {
  const { accountCurrency } = opts
  const primary = s.exposures.find((e) => e.currency === accountCurrency) ?? s.exposures[0]
  const cur = primary?.currency ?? accountCurrency ?? 'USD'
  const major = (n: number | undefined) => toMajor(n ?? 0, cur)
  return writeRecord({
    object: 'Account',
    externalIdField: 'Id',
    externalId: s.accountId,
    fields: {
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
    sourceUpdatedAt: Date.parse(s.asOf),
    accountId: s.accountId,
  })
}
