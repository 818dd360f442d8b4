import { describe, expect, inject, it } from 'vitest'
import { seededRandom, shuffle } from '../support/random.ts'
import { drain } from '../support/helpers.ts'
import { salesforceRecords } from '../support/vendors.ts'
import { deliver, drainWriter, eventsOf, openInvoice, stripeApi, stripeControl } from './support.ts'

// workerd has no process.env: the shell's settings come in through the global setup.
const ORDERS = Number(inject('replay').LIFECYCLE_ORDERS ?? 6)
const SEED = Number(inject('replay').LIFECYCLE_SEED ?? 7)

type Json = Record<string, unknown>

/** A customer linked to a new Account, with one invoice taken through its whole life. */
async function invoiceLifecycle() {
  const { account, customerId, invoiceId } = await openInvoice('Lifecycle Co')
  await stripeControl('fail_payment', { invoice: invoiceId })
  await stripeControl('pay_invoice', { invoice: invoiceId })
  await stripeControl('refund', { invoice: invoiceId, amount: 5000 })
  return { account, customerId, invoiceId }
}

describe('Stripe webhooks: an invoice lifecycle in any order', () => {
  it(`converges in Salesforce to Stripe's final state for ${ORDERS} shuffled, duplicated orders (seed ${SEED})`, async () => {
    const random = seededRandom(SEED)
    for (let round = 0; round < ORDERS; round++) {
      const { account, customerId, invoiceId } = await invoiceLifecycle()
      const events = await eventsOf(customerId, new Set([invoiceId]))
      expect(events.map((e) => e.type)).toEqual(
        expect.arrayContaining([
          'invoice.finalized',
          'invoice.payment_failed',
          'invoice.paid',
          'charge.refunded',
        ]),
      )
      const deliveries = shuffle([...events, ...events.filter(() => random() < 0.5)], random)
      for (const event of deliveries)
        expect((await deliver(event)).status, `round ${round} ${String(event.type)}`).toBe(200)
      await drain(account, 500)
      await drainWriter()

      const finalInvoice = await stripeApi('GET', `/v1/invoices/${invoiceId}`)
      const mirror = (await salesforceRecords('Billing_Invoice__c')).find(
        (r) => r.External_Id__c === invoiceId,
      )
      expect(mirror, `round ${round}: invoice in Salesforce`).toMatchObject({
        Status__c: finalInvoice.status,
        Amount_Due__c: (finalInvoice.amount_due as number) / 100,
        Amount_Paid__c: (finalInvoice.amount_paid as number) / 100,
        Amount_Remaining__c: (finalInvoice.amount_remaining as number) / 100,
        Account__c: account,
      })
      const charges = await stripeApi<{ data: Json[] }>('GET', '/v1/charges', {
        customer: customerId,
      })
      const payments = (await salesforceRecords('Billing_Payment__c')).filter((r) =>
        charges.data.some((c) => c.id === r.External_Id__c),
      )
      for (const charge of charges.data) {
        const expected =
          charge.status === 'failed'
            ? 'failed'
            : (charge.amount_refunded as number) >= (charge.amount as number)
              ? 'refunded'
              : (charge.amount_refunded as number) > 0
                ? 'partially_refunded'
                : 'succeeded'
        expect(
          payments.find((p) => p.External_Id__c === charge.id),
          `round ${round}: payment ${String(charge.id)}`,
        ).toMatchObject({ Status__c: expected })
      }
      expect(payments).toHaveLength(charges.data.length)
    }
  }, 180_000)
})
