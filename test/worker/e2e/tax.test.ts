import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until } from '../../support/poll.ts'
import { exports } from 'cloudflare:workers'
import { signRequest } from '../../../worker/lib/signature.ts'
import { amendmentEvent, drain, drainWriter, ledger, postEvents } from '../support/helpers.ts'
import { TEST_EVENTS_SECRET } from '../support/test-config.ts'
import { emulatorControl, netsuiteEffects, salesforceRecords, vendors } from '../support/vendors.ts'
import { useStripeTax } from '../support/wiring.ts'
import { deliver, eventsOf, stripeApi } from '../webhooks/support.ts'

type Json = Record<string, unknown>

/** An Account as a rep keeps it, with the tax fields the package adds. */
async function taxAccount(fields: Json): Promise<string> {
  const answer = await emulatorControl<{ results: Array<{ id?: string }> }>(
    vendors().salesforceUrl,
    'salesforce/put',
    {
      object: 'Account',
      records: [
        {
          Name: `Tax Co ${crypto.randomUUID().slice(0, 6)}`,
          CurrencyIsoCode: 'USD',
          Concord_Legal_Entity__c: 'US-INC',
          ...fields,
        },
      ],
    },
  )
  const id = answer.results[0]?.id
  if (!id) throw new Error(`could not create an Account: ${JSON.stringify(answer)}`)
  return id
}

const SAN_FRANCISCO = {
  BillingStreet: '1 Market St',
  BillingCity: 'San Francisco',
  BillingState: 'CA',
  BillingPostalCode: '94105',
  BillingCountry: 'US',
}

/** A create of 5 seats for the Account, applied as far as it goes; its correlation id. */
async function create(account: string): Promise<string> {
  const key = `SUB-TAX-${crypto.randomUUID().slice(0, 6)}`
  const event = amendmentEvent({
    Account_Id__c: account,
    Subscription_Key__c: key,
    Sequence__c: 1,
    Action__c: 'create',
    Price_Key__c: 'pro-monthly-usd',
    Quantity__c: 5,
    Proration__c: 'create_prorations',
  })
  const res = await postEvents([event])
  expect(res.status).toBe(200)
  await settle(account)
  return String(event.Correlation_Id__c)
}

/**
 * Runs the account's ledger until nothing waits: other test files share the emulators (and their
 * faults), so a step may meet a transient failure and retry after its backoff.
 */
async function settle(account: string): Promise<void> {
  await until(
    `ledger ${account} to settle`,
    async () => {
      await drain(account, 500)
      return !(await ledger(account).summary())?.counts.waiting
    },
    { intervalMs: 200, timeoutMs: 60_000 },
  )
}

/** The NetSuite sales order the amendment with this correlation id wrote. */
async function salesOrderOf(correlationId: string): Promise<Json> {
  const effect = (await netsuiteEffects()).find(
    (e) => e.correlationId === correlationId && e.kind.startsWith('salesOrder.'),
  )
  expect(effect, 'a sales order effect').toBeDefined()
  return emulatorControl<Json>(vendors().netsuiteUrl, 'netsuite/record', {
    type: 'salesOrder',
    // The effect names the order as `salesOrder:<external id>`.
    ref: `eid:${String(effect?.target).replace(/^salesOrder:/, '')}`,
  })
}

/** The subscription's first invoice in Stripe, delivered to the worker as its webhooks. */
async function firstInvoice(account: string): Promise<Json> {
  const summary = await ledger(account).summary()
  const customer = summary?.xref.billingCustomerId ?? ''
  const subs = await stripeApi<{ data: Json[] }>('GET', '/v1/subscriptions', { customer })
  expect(subs.data).toHaveLength(1)
  const sub = subs.data[0] as Json
  expect(sub.automatic_tax).toMatchObject({ enabled: true })
  const invoice = await stripeApi('GET', `/v1/invoices/${String(sub.latest_invoice)}`)
  for (const e of await eventsOf(customer, new Set([String(invoice.id)])))
    expect((await deliver(e)).status).toBe(200)
  await settle(account)
  await drainWriter()
  return invoice
}

/** The rep's preview (`POST /v1/amendments/preview`, signed as Apex signs) of a second create. */
async function previewCreate(account: string): Promise<Json> {
  const body = JSON.stringify(
    amendmentEvent({
      Account_Id__c: account,
      Subscription_Key__c: `SUB-TAX-${crypto.randomUUID().slice(0, 6)}`,
      Sequence__c: 1,
      Action__c: 'create',
      Price_Key__c: 'pro-monthly-usd',
      Quantity__c: 5,
      Proration__c: 'create_prorations',
    }),
  )
  const target = '/v1/amendments/preview'
  const headers = await signRequest(TEST_EVENTS_SECRET, { method: 'POST', target, body })
  const res = await exports.default.fetch(`https://concord.test${target}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  })
  expect(res.status).toBe(200)
  return res.json<Json>()
}

const mirrorOf = async (invoiceId: unknown) =>
  (await salesforceRecords('Billing_Invoice__c')).find((r) => r.External_Id__c === invoiceId)

const taxOf = (invoice: Json) =>
  ((invoice.total_taxes as Json[] | undefined) ?? []).reduce((s, t) => s + Number(t.amount), 0)

describe('end to end: Stripe Tax (STRIPE_TAX=automatic)', { timeout: 120_000 }, () => {
  beforeAll(() => useStripeTax(true))
  afterAll(() => useStripeTax(undefined))

  it('creates a taxed subscription and writes the tax and its jurisdiction to the Salesforce invoice', async () => {
    const account = await taxAccount(SAN_FRANCISCO)
    const correlationId = await create(account)
    expect((await ledger(account).summary())?.counts).toEqual({ applied: 1 })
    const customer = await stripeApi(
      'GET',
      `/v1/customers/${(await ledger(account).summary())?.xref.billingCustomerId ?? ''}`,
      { 'expand[]': 'tax' },
    )
    expect(customer.tax).toMatchObject({ automatic_tax: 'supported' })
    const invoice = await firstInvoice(account)
    const tax = taxOf(invoice)
    expect(tax).toBe(Math.round((Number(invoice.subtotal) * 725) / 10_000))
    expect(invoice.total).toBe(Number(invoice.subtotal) + tax)
    expect(await mirrorOf(invoice.id)).toMatchObject({
      Tax_Amount__c: tax / 100,
      Tax_Jurisdictions__c: 'California 7.25%',
      Amount_Due__c: Number(invoice.amount_due) / 100,
    })
    // The ERP order carries the same tax, as SuiteTax details under the jurisdiction's tax code.
    const order = await salesOrderOf(correlationId)
    expect(order).toMatchObject({ taxDetailsOverride: true, taxTotal: tax / 100 })
    expect((order.taxDetails as { items: Json[] }).items).toEqual([
      expect.objectContaining({
        taxCode: expect.objectContaining({ id: '1' }),
        taxRate: 7.25,
        taxBasis: Number(invoice.subtotal) / 100,
        taxAmount: tax / 100,
      }),
    ])
    // The rep's preview of another create for the known customer shows the same tax, apart.
    const preview = await previewCreate(account)
    expect(preview).toMatchObject({ tax, taxReasons: ['standard_rated'] })
    expect(preview.total).toBe(Number(preview.subtotal) + tax)
  })

  it('parks a create whose billing address has no postal code with a message a rep can act on, and bills it once the address is fixed and the item retried', async () => {
    const account = await taxAccount({ ...SAN_FRANCISCO, BillingPostalCode: null })
    await create(account)
    const parked = (await ledger(account).summary())?.open[0]
    expect(parked).toMatchObject({ state: 'parked', errorCode: 'tax_location_invalid' })
    expect(parked?.errorMessage).toContain(`Account`)
    expect(parked?.errorMessage).toContain(account)
    expect(parked?.errorMessage).toContain('has no postal code; Stripe Tax cannot place it')
    const customer = (await ledger(account).summary())?.xref.billingCustomerId ?? ''
    const none = await stripeApi<{ data: Json[] }>('GET', '/v1/subscriptions', { customer })
    expect(none.data).toHaveLength(0)

    const fixed = await emulatorControl<{ results: Json[] }>(
      vendors().salesforceUrl,
      'salesforce/put',
      {
        object: 'Account',
        externalIdField: 'Id',
        records: [{ Id: account, BillingPostalCode: '94105' }],
      },
    )
    expect(fixed.results).toEqual([expect.objectContaining({ success: true, created: false })])
    const retried = await ledger(account).retry(parked?.id ?? '', {
      actor: 'ops-alice',
      requestId: `retry-${crypto.randomUUID()}`,
    })
    expect(retried.status).toBe('ok')
    await settle(account)
    const after = await ledger(account).summary()
    expect(after?.counts, JSON.stringify(after?.open)).toEqual({ applied: 1 })
    const invoice = await firstInvoice(account)
    expect(taxOf(invoice)).toBeGreaterThan(0)
  })

  it('charges no tax to an exempt Account', async () => {
    const account = await taxAccount({ ...SAN_FRANCISCO, Tax_Exempt__c: 'exempt' })
    const correlationId = await create(account)
    const invoice = await firstInvoice(account)
    expect(taxOf(invoice)).toBe(0)
    expect(invoice.total).toBe(invoice.subtotal)
    expect(await mirrorOf(invoice.id)).toMatchObject({
      Tax_Amount__c: 0,
      Tax_Jurisdictions__c: 'California 0% (customer_exempt)',
    })
    expect(await previewCreate(account)).toMatchObject({
      tax: 0,
      taxReasons: ['customer_exempt'],
    })
    const order = await salesOrderOf(correlationId)
    expect(order.taxTotal).toBe(0)
    expect((order.taxDetails as { items: Json[] }).items).toEqual([
      expect.objectContaining({ taxCode: expect.objectContaining({ id: '3' }), taxAmount: 0 }),
    ])
  })

  it('reverse-charges a business with a VAT id of its own country, the id set on the customer from the Account', async () => {
    const account = await taxAccount({
      BillingStreet: 'Unter den Linden 1',
      BillingCity: 'Berlin',
      BillingPostalCode: '10117',
      BillingCountry: 'DE',
      Tax_Id__c: 'DE 123456789',
      Tax_Id_Type__c: 'eu_vat',
    })
    await create(account)
    const customer = (await ledger(account).summary())?.xref.billingCustomerId ?? ''
    const ids = await stripeApi<{ data: Json[] }>('GET', `/v1/customers/${customer}/tax_ids`)
    expect(ids.data.map((t) => [t.type, t.value])).toEqual([['eu_vat', 'DE123456789']])
    const invoice = await firstInvoice(account)
    expect(invoice.total_taxes).toEqual([
      expect.objectContaining({ amount: 0, taxability_reason: 'reverse_charge' }),
    ])
    expect((await mirrorOf(invoice.id))?.Tax_Jurisdictions__c).toBe('Germany 0% (reverse_charge)')
    expect(await previewCreate(account)).toMatchObject({ tax: 0, taxReasons: ['reverse_charge'] })
  })
})
