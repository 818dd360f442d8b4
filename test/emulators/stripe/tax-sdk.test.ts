import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { refusal, useStripeSdk } from './sdk-support.ts'

// Stripe Tax driven by the official `stripe` SDK, every answer checked against the pinned
// version's shapes (`tax` on the customer, `total_taxes` on invoices, tax ids, tax rates).

const sdk = useStripeSdk()

const SF = {
  line1: '1 Market St',
  city: 'San Francisco',
  state: 'CA',
  postal_code: '94105',
  country: 'US',
}

async function taxedInvoice(customer: Stripe.Customer): Promise<Stripe.Invoice> {
  const sub = await sdk.stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: 'price_seat_monthly', quantity: 5 }],
    automatic_tax: { enabled: true },
  })
  expect(sub.automatic_tax).toMatchObject({ enabled: true, disabled_reason: null })
  return sdk.stripe.invoices.retrieve(sub.latest_invoice as string)
}

describe('Stripe emulator tax (official SDK)', () => {
  it('places a customer from its billing address and says whether it can tax it', async () => {
    const ca = await sdk.stripe.customers.create({ name: 'Acme', address: SF, expand: ['tax'] })
    expect(ca.tax).toMatchObject({
      automatic_tax: 'supported',
      location: { country: 'US', state: 'CA', source: 'billing_address' },
    })
    const zipOnly = await sdk.stripe.customers.create({
      address: { postal_code: '10001', country: 'US' },
      expand: ['tax'],
    })
    expect(zipOnly.tax?.location).toMatchObject({ country: 'US', state: 'NY' })
    const oregon = await sdk.stripe.customers.create({
      address: { postal_code: '97712', state: 'OR', country: 'US' },
      expand: ['tax'],
    })
    expect(oregon.tax?.automatic_tax).toBe('not_collecting')
    const noZip = await sdk.stripe.customers.create({
      address: { state: 'CA', country: 'US' },
      expand: ['tax'],
    })
    expect(noZip.tax).toMatchObject({ automatic_tax: 'unrecognized_location', location: null })
    const plain = await sdk.stripe.customers.retrieve(ca.id)
    expect('tax' in plain).toBe(false)
  })

  it('refuses an address it cannot place when asked to validate it immediately', async () => {
    const err = await refusal(
      sdk.stripe.customers.create({
        address: { country: 'US', postal_code: 'ABCDE' },
        tax: { validate_location: 'immediately' },
      }),
    )
    expect(err.statusCode).toBe(400)
    expect(err.code).toBe('customer_tax_location_invalid')
    expect(err.message).toContain('is not a US ZIP')
  })

  it('refuses automatic tax for a customer whose location is not recognized, then bills once it is fixed', async () => {
    const customer = await sdk.stripe.customers.create({ address: { country: 'US', state: 'CA' } })
    const err = await refusal(
      sdk.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: 'price_seat_monthly', quantity: 1 }],
        automatic_tax: { enabled: true },
      }),
    )
    expect(err.code).toBe('customer_tax_location_invalid')
    expect(err.message).toContain('needs a postal code')
    expect(sdk.h.emu.stripe.store.subscriptions.size).toBe(0)

    const fixed = await sdk.stripe.customers.update(customer.id, { address: SF })
    const invoice = await taxedInvoice(fixed)
    expect(invoice).toMatchObject({ subtotal: 5000, total_excluding_tax: 5000, total: 5363 })
  })

  it('taxes invoices at the jurisdiction rate and names the jurisdiction on the rate', async () => {
    const customer = await sdk.stripe.customers.create({ address: SF })
    const invoice = await taxedInvoice(customer)
    expect(invoice.automatic_tax).toMatchObject({ enabled: true, status: 'complete' })
    expect(invoice.customer_address).toMatchObject({ postal_code: '94105', country: 'US' })
    const [tax] = invoice.total_taxes ?? []
    expect(tax).toMatchObject({
      amount: 363,
      taxable_amount: 5000,
      taxability_reason: 'standard_rated',
      tax_behavior: 'exclusive',
    })
    const rate = await sdk.stripe.taxRates.retrieve(tax?.tax_rate_details?.tax_rate ?? '')
    expect(rate).toMatchObject({
      object: 'tax_rate',
      jurisdiction: 'California',
      percentage: 7.25,
      tax_type: 'sales_tax',
    })
    expect(invoice.lines.data[0]?.taxes?.[0]?.amount).toBe(363)
    expect(invoice.amount_due).toBe(5363)
  })

  it('previews the tax of a new subscription before it is created', async () => {
    const customer = await sdk.stripe.customers.create({
      address: { country: 'DE', postal_code: '10115' },
    })
    const preview = await sdk.stripe.invoices.createPreview({
      customer: customer.id,
      automatic_tax: { enabled: true },
      subscription_details: { items: [{ price: 'price_seat_monthly', quantity: 2 }] },
    })
    expect(preview).toMatchObject({ subtotal: 2000, total: 2380 })
    const invoice = await taxedInvoice(customer)
    expect(invoice.total).toBe(5950)
  })

  it('charges no tax to an exempt customer and reverse-charges a reverse one', async () => {
    const exempt = await sdk.stripe.customers.create({ address: SF, tax_exempt: 'exempt' })
    const free = await taxedInvoice(exempt)
    expect(free).toMatchObject({ total: 5000, customer_tax_exempt: 'exempt' })
    expect(free.total_taxes?.[0]).toMatchObject({ amount: 0, taxability_reason: 'customer_exempt' })

    const reverse = await sdk.stripe.customers.create({
      address: { country: 'FR', postal_code: '75001' },
    })
    await sdk.stripe.customers.update(reverse.id, { tax_exempt: 'reverse' })
    const rc = await taxedInvoice(reverse)
    expect(rc.total).toBe(5000)
    expect(rc.total_taxes?.[0]).toMatchObject({ amount: 0, taxability_reason: 'reverse_charge' })
  })

  it('keeps tax ids, refuses a malformed one, and reverse-charges a business with a VAT id of its country', async () => {
    const customer = await sdk.stripe.customers.create({
      address: { country: 'DE', postal_code: '10115' },
    })
    const bad = await refusal(
      sdk.stripe.customers.createTaxId(customer.id, { type: 'eu_vat', value: 'DE12' }),
    )
    expect(bad.code).toBe('tax_id_invalid')
    const vat = await sdk.stripe.customers.createTaxId(customer.id, {
      type: 'eu_vat',
      value: 'DE123456789',
    })
    expect(vat).toMatchObject({ object: 'tax_id', country: 'DE', value: 'DE123456789' })
    const ids = await sdk.stripe.customers.listTaxIds(customer.id)
    expect(ids.data.map((t) => t.id)).toEqual([vat.id])
    const invoice = await taxedInvoice(customer)
    expect(invoice.total_taxes?.[0]).toMatchObject({
      amount: 0,
      taxability_reason: 'reverse_charge',
    })
    await sdk.stripe.customers.deleteTaxId(customer.id, vat.id)
    expect((await sdk.stripe.customers.listTaxIds(customer.id)).data).toEqual([])
  })

  it('turns automatic tax on for an existing subscription only where the customer can be placed', async () => {
    const customer = await sdk.stripe.customers.create({ name: 'No address' })
    const sub = await sdk.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_seat_monthly', quantity: 1 }],
    })
    expect(sub.automatic_tax.enabled).toBe(false)
    const err = await refusal(
      sdk.stripe.subscriptions.update(sub.id, { automatic_tax: { enabled: true } }),
    )
    expect(err.code).toBe('customer_tax_location_invalid')
    await sdk.stripe.customers.update(customer.id, { address: SF })
    const on = await sdk.stripe.subscriptions.update(sub.id, { automatic_tax: { enabled: true } })
    expect(on.automatic_tax.enabled).toBe(true)
  })
})
