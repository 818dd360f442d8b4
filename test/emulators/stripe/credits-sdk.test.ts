import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { useStripeSdk, refusal } from './sdk-support.ts'

// Credit notes and refunds driven by the official `stripe` SDK, every answer checked against
// the pinned version's shapes, so the emulator cannot drift into agreeing with Concord's code.

const sdk = useStripeSdk()

/** A 5-seat monthly subscription ($50): paid at once, or sent as an open invoice. */
async function invoiced(open = false): Promise<Stripe.Invoice> {
  const customer = await sdk.stripe.customers.create({ name: 'Acme' })
  const sub = await sdk.stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: 'price_seat_monthly', quantity: 5 }],
    ...(open ? { collection_method: 'send_invoice' as const, days_until_due: 30 } : {}),
  })
  return sdk.stripe.invoices.retrieve(sub.latest_invoice as string)
}

const events = (type: string) =>
  [...sdk.h.emu.stripe.store.events.values()].filter((e) => e.type === type)

describe('Stripe emulator credit notes (official SDK)', () => {
  it('previews a credit note without issuing it, then issues it once per idempotency key', async () => {
    const invoice = await invoiced(true)
    const preview = await sdk.stripe.creditNotes.preview({
      invoice: invoice.id,
      amount: 1200,
      reason: 'order_change',
    })
    expect(preview).toMatchObject({ amount: 1200, pre_payment_amount: 1200, type: 'pre_payment' })
    expect(sdk.h.emu.stripe.store.creditNotes.size).toBe(0)
    expect((await sdk.stripe.invoices.retrieve(invoice.id)).amount_remaining).toBe(5000)

    const params = { invoice: invoice.id, amount: 1200, reason: 'order_change' as const }
    const first = await sdk.stripe.creditNotes.create(params, { idempotencyKey: 'req-1:credit' })
    const again = await sdk.stripe.creditNotes.create(params, { idempotencyKey: 'req-1:credit' })
    expect(again.id).toBe(first.id)
    expect(sdk.h.emu.effects.counts()['credit_note.create']).toBe(1)
    expect(events('credit_note.created')).toHaveLength(1)
    expect((await sdk.stripe.invoices.retrieve(invoice.id)).amount_remaining).toBe(3800)
  })

  it('credits part of an invoice line by quantity and refuses more than the line has left', async () => {
    const invoice = await invoiced(true)
    const line = invoice.lines.data[0] as Stripe.InvoiceLineItem
    const note = await sdk.stripe.creditNotes.create({
      invoice: invoice.id,
      lines: [{ type: 'invoice_line_item', invoice_line_item: line.id, quantity: 2 }],
    })
    expect(note.amount).toBe(2000)
    expect(note.lines.data[0]).toMatchObject({
      type: 'invoice_line_item',
      invoice_line_item: line.id,
      quantity: 2,
      amount: 2000,
    })
    const over = await refusal(
      sdk.stripe.creditNotes.create({
        invoice: invoice.id,
        lines: [{ type: 'invoice_line_item', invoice_line_item: line.id, amount: 3001 }],
      }),
    )
    expect(over.statusCode).toBe(400)
    expect(over.message).toMatch(/exceeds what remains creditable on it \(3000\)/)
  })

  it('refuses a credit above what remains creditable on the invoice', async () => {
    const invoice = await invoiced(true)
    await sdk.stripe.creditNotes.create({ invoice: invoice.id, amount: 4000 })
    const err = await refusal(sdk.stripe.creditNotes.create({ invoice: invoice.id, amount: 1001 }))
    expect(err).toMatchObject({ statusCode: 400, param: 'amount' })
    expect(err.message).toMatch(/remaining creditable amount \(1000\)/)
    const preview = await refusal(
      sdk.stripe.creditNotes.preview({ invoice: invoice.id, amount: 1001 }),
    )
    expect(preview.statusCode).toBe(400)
  })

  it('splits a paid invoice’s credit into refund and balance credit, which must add up', async () => {
    const invoice = await invoiced()
    const bad = await refusal(
      sdk.stripe.creditNotes.create({ invoice: invoice.id, amount: 3000, refund_amount: 1000 }),
    )
    expect(bad.message).toMatch(/must equal the credit note's post_payment_amount \(3000\)/)
    const note = await sdk.stripe.creditNotes.create({
      invoice: invoice.id,
      amount: 3000,
      refund_amount: 1000,
      credit_amount: 2000,
    })
    expect(note).toMatchObject({ type: 'post_payment', post_payment_amount: 3000 })
    expect(note.refunds).toHaveLength(1)
    const customer = await sdk.stripe.customers.retrieve(invoice.customer as string)
    expect((customer as Stripe.Customer).balance).toBe(-2000)
    expect(events('charge.refunded').length).toBeGreaterThan(0)
  })
})

describe('Stripe emulator refunds (official SDK)', () => {
  it('refunds up to what was captured less what was refunded, with Stripe’s error codes', async () => {
    const invoice = await invoiced()
    const charge = sdk.h.emu.stripe.store.invoiceCharge.get(invoice.id) as string
    const before = sdk.h.emu.effects.counts()['charge.refund'] ?? 0
    const part = await sdk.stripe.refunds.create(
      { charge, amount: 2000 },
      { idempotencyKey: 'req-2:refund' },
    )
    const replay = await sdk.stripe.refunds.create(
      { charge, amount: 2000 },
      { idempotencyKey: 'req-2:refund' },
    )
    expect(replay.id).toBe(part.id)
    const over = await refusal(sdk.stripe.refunds.create({ charge, amount: 3001 }))
    expect(over).toMatchObject({ statusCode: 400, code: 'amount_too_large' })
    await sdk.stripe.refunds.create({ charge })
    const done = await refusal(sdk.stripe.refunds.create({ charge, amount: 1 }))
    expect(done.code).toBe('charge_already_refunded')
    expect(await sdk.stripe.charges.retrieve(charge)).toMatchObject({
      amount_refunded: 5000,
      refunded: true,
    })
    expect(sdk.h.emu.effects.counts()['charge.refund']).toBe(before + 2)
  })

  it('refuses to refund a failed payment', async () => {
    sdk.h.emu.stripe.setAutoPay('fail')
    try {
      await invoiced()
    } finally {
      sdk.h.emu.stripe.setAutoPay('succeed')
    }
    const failed = [...sdk.h.emu.stripe.store.charges.values()].find((c) => c.status === 'failed')
    expect(failed).toBeDefined()
    const err = await refusal(sdk.stripe.refunds.create({ charge: failed?.id ?? '' }))
    expect(err).toMatchObject({ statusCode: 400, code: 'charge_not_refundable' })
    expect(err.message).toMatch(/has failed/)
  })
})
