import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { salesforceControl, stripeApi } from '../bench/vendors-api.ts'
import { salesforceAccounts } from '../bench/world.ts'
import { seededRandom } from '../emulators/common/faults.ts'
import { judge } from '../scale/judge.ts'
import { chains, type Chain } from '../scale/workload.ts'
import { startVendors, type VendorStack } from '../stack/vendors.ts'

/*
 * chaos:scale's judge reads only the emulators. These cases build the emulators' state by hand,
 * one breach at a time, so a judge that passed everything would fail here.
 */
let vendors: VendorStack
const stack = () => ({ vendors })

beforeAll(async () => {
  vendors = await startVendors()
})
afterAll(async () => vendors.close())

/** One account with one two-step chain, its Stripe customer and the create's subscription. */
async function world(): Promise<{ chain: Chain; subscription: Record<string, unknown> }> {
  const [account] = await salesforceAccounts(stack(), 1, 'J')
  const [chain] = chains([account ?? ''], 1, 2, seededRandom(7))
  if (!chain?.[0]) throw new Error('no chain')
  const customer = await stripeApi(stack(), 'POST', '/v1/customers', {
    'metadata[sf_account_id]': account ?? '',
  })
  const subscription = await stripeApi(stack(), 'POST', '/v1/subscriptions', {
    customer: String(customer.id),
    'items[0][price]': 'price_pro_monthly_usd',
    'items[0][quantity]': '4',
    'metadata[correlation_id]': chain[0].correlationId,
  })
  return { chain, subscription }
}

const sync = (id: string, status: string, extra: Record<string, unknown> = {}) =>
  salesforceControl(stack(), 'put', {
    object: 'Subscription_Sync__c',
    records: [{ External_Id__c: id, Status__c: status, ...extra }],
  })

describe('the chaos:scale judge', () => {
  it('counts an amendment with no final status as lost, and a missing mirror as divergent', async () => {
    const { chain } = await world()
    await sync(chain[0]?.id ?? '', 'applied')
    const v = judge(vendors, [chain])
    expect(v.lost).toBe(1)
    // The create has a billing effect and no ERP effect: not exactly one of each.
    expect(v.duplicateEffects).toBe(1)
    // Neither the subscription nor its first invoice has a mirror in Salesforce.
    expect(v.divergentMirrors).toBe(2)
  })

  it('passes a chain whose effects and mirror match, and fails it once an effect repeats', async () => {
    const { chain, subscription } = await world()
    const [create, ending] = chain
    if (!create || !ending) throw new Error('short chain')
    await sync(create.id, 'applied')
    await sync(ending.id, 'parked', {
      Error_Code__c: 'card_declined',
      Error_Message__c: 'declined',
    })
    vendors.netsuite.netsuite.effects.record(
      'salesOrder.upsert.create',
      'so:1',
      create.correlationId,
    )
    await salesforceControl(stack(), 'put', {
      object: 'Billing_Subscription__c',
      records: [
        {
          External_Id__c: subscription.id,
          Status__c: 'active',
          Quantity__c: 4,
          Price_Key__c: 'pro-monthly-usd',
        },
      ],
    })
    const invoice = await stripeApi(
      stack(),
      'GET',
      `/v1/invoices/${String(subscription.latest_invoice)}`,
    )
    await salesforceControl(stack(), 'put', {
      object: 'Billing_Invoice__c',
      records: [
        {
          External_Id__c: invoice.id,
          Status__c: invoice.status,
          Amount_Paid__c: Number(invoice.amount_paid) / 100,
        },
      ],
    })
    const fine = judge(vendors, [chain])
    expect(fine.divergentMirrors, fine.examples.join('; ')).toBe(0)
    expect(fine).toMatchObject({ applied: 1, parked: 1, lost: 0, duplicateEffects: 0 })
    expect(fine.unexplained).toBe(0)

    vendors.netsuite.netsuite.effects.record(
      'salesOrder.upsert.create',
      'so:2',
      create.correlationId,
    )
    expect(judge(vendors, [chain]).duplicateEffects).toBe(1)
  })
})
