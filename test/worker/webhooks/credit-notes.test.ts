import { describe, expect, it } from 'vitest'
import { seededRandom, shuffle } from '../support/random.ts'
import { drain } from '../support/helpers.ts'
import { salesforceRecords } from '../support/vendors.ts'
import { deliver, drainWriter, eventsOf, openInvoice, stripeApi, stripeControl } from './support.ts'

type Json = Record<string, unknown>

/** A paid invoice of a customer linked to a new Account, credited twice in Stripe, once voided. */
async function creditedInvoice() {
  const { account, customerId, invoiceId } = await openInvoice('Credit Note Co')
  await stripeControl('pay_invoice', { invoice: invoiceId })
  // Finance credits it in Stripe's dashboard: one part refunded to the card, one to the balance.
  const refunded = await stripeApi('POST', '/v1/credit_notes', {
    invoice: invoiceId,
    amount: '700',
    refund_amount: '700',
    reason: 'product_unsatisfactory',
  })
  const voided = await stripeApi('POST', '/v1/credit_notes', {
    invoice: invoiceId,
    amount: '300',
    credit_amount: '300',
    reason: 'duplicate',
  })
  await stripeApi('POST', `/v1/credit_notes/${String(voided.id)}/void`)
  return { account, customerId, invoiceId, notes: [refunded, voided] }
}

describe('Billing_Credit_Note__c from credit_note.* webhooks', () => {
  it("converges to Stripe's credit notes whatever order and duplication the events come in", async () => {
    const random = seededRandom(13)
    for (let round = 0; round < 3; round++) {
      const { account, customerId, invoiceId, notes } = await creditedInvoice()
      const events = (await eventsOf(customerId, new Set([invoiceId]))).filter((e) =>
        String(e.type).startsWith('credit_note.'),
      )
      expect(events.map((e) => e.type).sort()).toEqual([
        'credit_note.created',
        'credit_note.created',
        'credit_note.voided',
      ])
      // The invoice's own events too, so its record exists for the lookup; all shuffled, some twice.
      const all = await eventsOf(customerId, new Set([invoiceId]))
      for (const event of shuffle([...all, ...events.filter(() => random() < 0.7)], random))
        expect((await deliver(event)).status, String(event.type)).toBe(200)
      await drain(account, 500)
      await drainWriter()

      const invoiceRecord = (await salesforceRecords('Billing_Invoice__c')).find(
        (r) => r.External_Id__c === invoiceId,
      )
      const records = await salesforceRecords('Billing_Credit_Note__c')
      for (const made of notes) {
        const stripe = await stripeApi<Json & { refunds: Array<{ amount_refunded: number }> }>(
          'GET',
          `/v1/credit_notes/${String(made.id)}`,
        )
        const record = records.find((r) => r.External_Id__c === stripe.id)
        expect(record, `round ${round}: ${String(stripe.id)} in Salesforce`).toMatchObject({
          Account__c: account,
          Invoice__c: invoiceRecord?.Id,
          Number__c: stripe.number,
          Status__c: stripe.status,
          Reason__c: stripe.reason,
          Amount__c: Number(stripe.amount) / 100,
          Amount_Refunded__c: stripe.refunds.reduce((s, r) => s + r.amount_refunded, 0) / 100,
          Currency_Iso__c: 'USD',
        })
        expect(Date.parse(String(record?.Created_At__c))).toBe(Number(stripe.created) * 1000)
      }
      expect(records.filter((r) => r.Account__c === account)).toHaveLength(2)
    }
  }, 120_000)
})
