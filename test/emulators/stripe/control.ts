import type { EmuResponse } from '../common/router.ts'
import { advanceClock } from './billing/advance.ts'
import { issueCreditNote, refundCharge, voidCreditNote } from './billing/credits.ts'
import { finalizeInvoice } from './billing/invoices.ts'
import { failPayment, markUncollectible, payInvoice, voidInvoice } from './billing/payments.ts'
import type { Ctx } from './context.ts'
import { invalidRequest, StripeError } from './errors.ts'
import { requireCharge, requireCreditNote, requireInvoice } from './lookup.ts'
import { addEndpoint } from './routes/events.ts'
import { seed } from './seed.ts'
import { snapshot } from './state.ts'
import type { CreditNote } from './types.ts'

type Body = Record<string, unknown>

function need(body: Body, name: string): string {
  const v = body[name]
  if (typeof v !== 'string' || !v)
    throw invalidRequest(`Missing required control field: ${name}.`, name)
  return v
}

function num(body: Body, name: string): number | undefined {
  const v = body[name]
  return typeof v === 'number' ? v : undefined
}

/** Names of the vendor control actions, for the 404 hint and the docs. */
export const CONTROL_ACTIONS = [
  'seed',
  'clock',
  'advance',
  'pay_invoice',
  'fail_payment',
  'finalize_invoice',
  'void_invoice',
  'mark_uncollectible',
  'refund',
  'credit_note',
  'void_credit_note',
  'webhook_endpoint',
  'delivery',
  'pause',
  'resume',
  'flush',
  'deliveries',
  'lock',
  'auto_pay',
  'search_lag',
] as const

/**
 * Vendor control actions at `POST /__control/stripe/<action>` (JSON bodies). Invoice lifecycle
 * actions act as Stripe itself would (the customer paid, the bank declined), so they emit the
 * same events and effects as the matching API calls.
 */
export async function control(
  ctx: Ctx,
  action: string,
  raw: unknown,
): Promise<EmuResponse | undefined> {
  const body = (raw ?? {}) as Body
  try {
    const out = await ctx.run(null, () => dispatch(ctx, action, body))
    return out === undefined ? undefined : { status: 200, body: out }
  } catch (err) {
    if (err instanceof StripeError) return { status: err.status, body: { error: err.body } }
    throw err
  }
}

function dispatch(ctx: Ctx, action: string, body: Body): unknown {
  switch (action) {
    case 'seed':
      return seed(ctx, body)
    case 'clock':
      return { now: ctx.now() }
    case 'advance': {
      const to =
        num(body, 'to') ??
        ctx.now() + (num(body, 'seconds') ?? 0) + (num(body, 'days') ?? 0) * 86_400
      return advanceClock(ctx, to)
    }
    case 'pay_invoice': {
      const inv = requireInvoice(ctx, need(body, 'invoice'), 'invoice')
      payInvoice(ctx, inv, { outOfBand: body['out_of_band'] === true })
      return snapshot(inv)
    }
    case 'fail_payment': {
      const inv = requireInvoice(ctx, need(body, 'invoice'), 'invoice')
      const charge = failPayment(
        ctx,
        inv,
        typeof body['code'] === 'string' ? body['code'] : undefined,
      )
      return { invoice: snapshot(inv), charge: snapshot(charge) }
    }
    case 'finalize_invoice': {
      const inv = requireInvoice(ctx, need(body, 'invoice'), 'invoice')
      finalizeInvoice(ctx, inv)
      return snapshot(inv)
    }
    case 'void_invoice': {
      const inv = requireInvoice(ctx, need(body, 'invoice'), 'invoice')
      voidInvoice(ctx, inv)
      return snapshot(inv)
    }
    case 'mark_uncollectible': {
      const inv = requireInvoice(ctx, need(body, 'invoice'), 'invoice')
      markUncollectible(ctx, inv)
      return snapshot(inv)
    }
    case 'refund': {
      const chargeId =
        typeof body['charge'] === 'string'
          ? body['charge']
          : ctx.store.invoiceCharge.get(need(body, 'invoice'))
      if (!chargeId) throw invalidRequest('That invoice has no charge to refund.', 'invoice')
      return snapshot(
        refundCharge(
          ctx,
          requireCharge(ctx, chargeId),
          num(body, 'amount'),
          typeof body['reason'] === 'string' ? body['reason'] : undefined,
        ),
      )
    }
    case 'credit_note': {
      const inv = requireInvoice(ctx, need(body, 'invoice'), 'invoice')
      const amount =
        num(body, 'amount') ?? (inv.status === 'open' ? inv.amount_remaining : inv.amount_paid)
      return snapshot(
        issueCreditNote(ctx, inv, {
          amount,
          reason: (typeof body['reason'] === 'string'
            ? body['reason']
            : null) as CreditNote['reason'],
          memo: typeof body['memo'] === 'string' ? body['memo'] : undefined,
          refundAmount: num(body, 'refund_amount'),
          outOfBandAmount: num(body, 'out_of_band_amount'),
        }),
      )
    }
    case 'void_credit_note': {
      const note = requireCreditNote(ctx, need(body, 'credit_note'), 'credit_note')
      voidCreditNote(ctx, note)
      return snapshot(note)
    }
    case 'webhook_endpoint': {
      const events = Array.isArray(body['enabled_events'])
        ? body['enabled_events'].filter((e): e is string => typeof e === 'string')
        : undefined
      const e = addEndpoint(ctx, {
        url: need(body, 'url'),
        secret: typeof body['secret'] === 'string' ? body['secret'] : undefined,
        enabledEvents: events,
      })
      return snapshot(e)
    }
    case 'delivery':
      ctx.webhooks.setMode(body)
      return { mode: ctx.webhooks.mode }
    case 'pause':
      ctx.webhooks.pause()
      return { mode: ctx.webhooks.mode }
    case 'resume':
      ctx.webhooks.resume()
      return { mode: ctx.webhooks.mode }
    case 'flush':
      return ctx.webhooks.flush().then((deliveries) => ({ deliveries }))
    case 'deliveries':
      return { deliveries: ctx.webhooks.deliveries(), pending: ctx.webhooks.pending() }
    case 'lock':
      ctx.locks.holdMs = num(body, 'holdMs') ?? 0
      return { holdMs: ctx.locks.holdMs }
    case 'auto_pay': {
      const mode = body['mode']
      if (mode !== 'succeed' && mode !== 'fail' && mode !== 'off')
        throw invalidRequest('mode must be succeed, fail or off', 'mode')
      const customer = body['customer']
      if (customer !== undefined) {
        if (typeof customer !== 'string' || !ctx.store.customers.has(customer))
          throw invalidRequest('customer must name an existing customer', 'customer')
        ctx.settings.autoPayByCustomer.set(customer, mode)
        return { autoPay: mode, customer }
      }
      ctx.settings.autoPay = mode
      return { autoPay: mode }
    }
    case 'search_lag':
      ctx.settings.searchLagMs = num(body, 'ms') ?? 0
      return { searchLagMs: ctx.settings.searchLagMs }
    default:
      return undefined
  }
}
