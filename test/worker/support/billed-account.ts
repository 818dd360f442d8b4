import { stripeApi } from '../webhooks/support.ts'
import { amendmentEvent, drain, ledger, postEvents } from './helpers.ts'
import { createAccount } from './vendors.ts'

type Json = Record<string, unknown>

/** What `billedAccount` made: the Salesforce account and its first Stripe invoice and charge. */
export interface BilledAccount {
  account: string
  customer: string
  invoice: Json
  invoiceId: string
  charge: string
}

/**
 * A new account with a 5-seat `pro-monthly-usd` subscription (key `<keyPrefix>-<random>`)
 * applied in Stripe and NetSuite, and the paid invoice and charge its creation made.
 */
export async function billedAccount(keyPrefix: string): Promise<BilledAccount> {
  const account = await createAccount()
  await postEvents([
    amendmentEvent({
      Account_Id__c: account,
      Subscription_Key__c: `${keyPrefix}-${crypto.randomUUID().slice(0, 6)}`,
      Sequence__c: 1,
      Action__c: 'create',
      Price_Key__c: 'pro-monthly-usd',
      Quantity__c: 5,
    }),
  ])
  await drain(account, 500)
  const customer = (await ledger(account).summary())?.xref.billingCustomerId ?? ''
  const invoices = await stripeApi<{ data: Json[] }>('GET', '/v1/invoices', { customer })
  const charges = await stripeApi<{ data: Json[] }>('GET', '/v1/charges', { customer })
  const invoice = invoices.data[0] as Json
  return {
    account,
    customer,
    invoice,
    invoiceId: String(invoice?.id),
    charge: String(charges.data[0]?.id),
  }
}
