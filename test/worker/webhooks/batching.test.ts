import { runInDurableObject } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BillingReader } from '../../../worker/connectors/types.ts'
import { PRODUCTION } from '../../../worker/objects/wiring.ts'
import {
  classifyStripeEvent,
  type StripeEventEnvelope,
} from '../../../worker/webhooks/stripe-events.ts'
import type { WriteRecord } from '../../../worker/writer/types.ts'
import { drain, ledger, useRecordSink } from '../support/helpers.ts'
import { createAccount } from '../support/vendors.ts'
import { useConnectorFactory } from '../support/wiring.ts'
import { deliver, eventsOf, stripeApi, stripeControl } from './support.ts'

type Json = Record<string, unknown>

afterEach(() => {
  useConnectorFactory()
  vi.restoreAllMocks()
})

/** Billing's reads the ledgers make, by method and id, while the real reader answers them. */
function countReads(): string[] {
  const reads: string[] = []
  useConnectorFactory((env) => {
    const real = PRODUCTION.connectors(env, PRODUCTION.config(env))
    const reader = real.billingReader
    const counted = (name: keyof BillingReader) =>
      ((id: string, ...rest: unknown[]) => {
        reads.push(`${name} ${id}`)
        return (reader[name] as (...a: unknown[]) => Promise<unknown>)(id, ...rest)
      }) as never
    return {
      ...real,
      billingReader: {
        ...reader,
        invoice: counted('invoice'),
        paymentsOfInvoice: counted('paymentsOfInvoice'),
        payment: counted('payment'),
        subscription: counted('subscription'),
      },
    }
  })
  return reads
}

/** An Account linked to a customer whose subscription's first invoice was sent and then paid. */
async function paidInvoice(): Promise<{ account: string; invoice: string; events: Json[] }> {
  const account = await createAccount()
  const customer = await stripeApi('POST', '/v1/customers', {
    name: 'Burst Pay Co',
    'metadata[sf_account_id]': account,
  })
  const sub = await stripeApi('POST', '/v1/subscriptions', {
    customer: String(customer.id),
    'items[0][price]': 'price_pro_monthly_usd',
    'items[0][quantity]': '2',
    collection_method: 'send_invoice',
    days_until_due: '30',
  })
  const invoice = String(sub.latest_invoice)
  const held = await stripeApi('GET', `/v1/invoices/${invoice}`)
  if (held.status === 'draft') await stripeControl('finalize_invoice', { invoice })
  await stripeControl('pay_invoice', { invoice })
  const events = await eventsOf(String(customer.id), new Set([invoice]))
  return { account, invoice, events }
}

const refOf = (e: Json) => classifyStripeEvent(e as unknown as StripeEventEnvelope)

describe('AccountLedger: billing events in bursts', () => {
  it('re-reads an invoice once for a burst of its events, and spares its payment a read of its own', async () => {
    const { account, invoice, events } = await paidInvoice()
    const handled = events.map(refOf).filter((c) => c.handled)
    const aboutInvoice = handled.filter((c) =>
      c.ref.refresh.some((r) => r.kind === 'invoice' && r.id === invoice),
    )
    // Stripe's own burst for one paid invoice: created, finalized, updated, paid, payment_succeeded…
    expect(aboutInvoice.length).toBeGreaterThanOrEqual(4)
    const payments = handled.filter((c) => c.ref.refresh.some((r) => r.kind === 'payment'))
    expect(payments).toHaveLength(1)
    const reads = countReads()
    const handed: WriteRecord[] = []
    useRecordSink({ enqueue: (records) => (handed.push(...records), Promise.resolve()) })
    // Every event twice (Stripe delivers at least once), all waiting for the same pump run.
    const refs = [...handled, ...handled].map((c) => c.ref)
    const outcomes = await ledger(account).recordBillingEvents(account, refs)
    expect(outcomes.filter((o) => o === 'queued')).toHaveLength(handled.length)
    await drain(account)
    expect(reads.filter((r) => r.startsWith('invoice '))).toEqual([`invoice ${invoice}`])
    expect(reads.filter((r) => r.startsWith('paymentsOfInvoice '))).toHaveLength(1)
    expect(reads.filter((r) => r.startsWith('payment '))).toEqual([])
    const invoiceRecords = handed.filter((r) => r.object === 'Billing_Invoice__c')
    expect(invoiceRecords.at(-1)?.fields).toMatchObject({ Status__c: 'paid' })
    expect(handed.filter((r) => r.object === 'Billing_Payment__c')).toHaveLength(1)
  })

  it('keeps an acknowledged event when its ledger restarts between the 2xx and the alarm', async () => {
    const { account, invoice, events } = await paidInvoice()
    const paid = events.find((e) => e.type === 'invoice.paid')
    expect(paid).toBeDefined()
    const handed: WriteRecord[] = []
    useRecordSink({ enqueue: (records) => (handed.push(...records), Promise.resolve()) })
    const res = await deliver(paid as Json)
    expect(await res.json()).toEqual({ received: true, outcome: 'queued' })
    // The object goes away with its memory before its alarm runs: only what was stored remains.
    const stub = ledger(account)
    await expect(
      runInDurableObject(stub, (_, state) => state.abort('restart before the alarm')),
    ).rejects.toThrow()
    expect(handed).toEqual([])
    await drain(account)
    const record = handed.filter((r) => r.object === 'Billing_Invoice__c').at(-1)
    expect(record).toMatchObject({ externalId: invoice, fields: { Status__c: 'paid' } })
    // The dedupe survived too: a redelivery after the restart is known.
    expect(await (await deliver(paid as Json)).json()).toEqual({
      received: true,
      outcome: 'duplicate',
    })
  })
})
