import { describe, expect, it } from 'vitest'
import type { SObjectFields } from '../../../worker/connectors/salesforce/sobject.ts'
import { fitText, paymentRecord } from '../../../worker/writer/records/index.ts'

describe('record builders', () => {
  it('refuses undeclared fields and picklist values at compile time', () => {
    // @ts-expect-error — not a field of Billing_Invoice__c in shared/salesforce-schema.ts
    const wrongField: SObjectFields<'Billing_Invoice__c'> = { Amount__c: 1 }
    // @ts-expect-error — not a Status__c value
    const wrongValue: SObjectFields<'Billing_Invoice__c'> = { Status__c: 'settled' }
    const byParent: SObjectFields<'Billing_Payment__c'> = {
      External_Id__c: 'py_1',
      Invoice__r: { External_Id__c: 'in_1' },
    }
    expect([wrongField, wrongValue, byParent]).toHaveLength(3)
    expect(fitText('Subscription_Sync__c', 'Error_Message__c', 'e'.repeat(300))).toHaveLength(255)
  })

  it('writes amounts in major units by the currency: none, two or three decimals', () => {
    const payment = (currency: string) =>
      paymentRecord({
        id: `py_${currency}`,
        accountId: '001000000000001AAA',
        status: 'succeeded',
        currency,
        amount: 12_340,
        amountRefunded: 0,
        sourceUpdatedAt: '2026-01-01T00:00:00.000Z',
      }).fields.Amount__c
    expect(payment('USD')).toBe(123.4)
    expect(payment('JPY')).toBe(12_340)
    // Three-decimal currencies: 12,340 fils are 12.34 dinars, not 123.40.
    expect(payment('KWD')).toBe(12.34)
  })
})
