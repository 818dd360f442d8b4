import { describe, expect, it } from 'vitest'
import type { SObjectFields } from '../../../worker/connectors/salesforce/sobject.ts'
import { fitText } from '../../../worker/writer/records/index.ts'

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
})
