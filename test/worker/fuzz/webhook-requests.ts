import fc from 'fast-check'
import { stripeSignatureVariant, type StripeSignatureVariant } from './stripe-signatures.ts'
import {
  alnum,
  deepNesting,
  hostileValue,
  hugeString,
  oddNumber,
  oddString,
  pollutingObject,
  withOwnKeys,
} from './values.ts'

export interface WebhookRequest {
  body: { kind: 'event' | 'not-json' | 'other-json' | 'too-large'; text: string }
  signature: StripeSignatureVariant
}

export const MAX_WEBHOOK_BYTES = 1024 * 1024

const HANDLED_TYPES = [
  'invoice.created',
  'invoice.finalized',
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.voided',
  'invoice.updated',
  'invoice_payment.paid',
  'charge.succeeded',
  'charge.refunded',
  'charge.refund.updated',
  'credit_note.created',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
]

const typeish = fc.oneof(
  { arbitrary: fc.constantFrom(...HANDLED_TYPES), weight: 8 },
  {
    arbitrary: fc.constantFrom('payout.paid', 'customer.created', 'invoice.', 'charge'),
    weight: 1,
  },
  { arbitrary: oddString.map((s) => `customer.subscription.${s}`), weight: 1 },
  { arbitrary: oddString, weight: 1 },
)

const idish = fc.oneof(
  { arbitrary: alnum(14).map((s) => `in_${s}`), weight: 4 },
  { arbitrary: fc.constantFrom('in_missing', 'ch_missing', 'cn_missing', 'sub_1', ''), weight: 2 },
  { arbitrary: hostileValue, weight: 2 },
)

const timestampish = fc.oneof(
  { arbitrary: fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }), weight: 4 },
  { arbitrary: oddNumber, weight: 2 },
  { arbitrary: hostileValue, weight: 1 },
)

const itemish = fc.oneof(
  fc.record(
    {
      current_period_end: timestampish,
      quantity: fc.oneof(fc.integer({ min: 0, max: 100 }), hostileValue),
      price: fc.oneof(fc.record({ id: idish }), hostileValue),
    },
    { requiredKeys: [] },
  ),
  hostileValue,
)

const itemsish = fc.oneof(
  fc.record({ data: fc.array(itemish, { maxLength: 4 }) }),
  fc.record({ data: hostileValue }),
  hostileValue,
)

function dataObject(customers: string[]): fc.Arbitrary<Record<string, unknown>> {
  const customer = fc.oneof(
    { arbitrary: fc.constantFrom(...customers), weight: 4 },
    { arbitrary: alnum(14).map((s) => `cus_${s}`), weight: 2 },
    { arbitrary: hostileValue, weight: 2 },
    { arbitrary: hugeString, weight: 1 },
  )
  return fc
    .tuple(
      fc.record(
        {
          id: idish,
          customer,
          invoice: idish,
          charge: idish,
          status: fc.oneof(fc.constantFrom('active', 'canceled', 'past_due', 'paid'), hostileValue),
          cancel_at: fc.oneof(timestampish, fc.constant(null)),
          cancel_at_period_end: fc.oneof(fc.boolean(), hostileValue),
          currency: fc.oneof(fc.constantFrom('usd', 'eur'), hostileValue),
          metadata: fc.oneof(fc.record({ subscription_key: oddString }), hostileValue),
          items: itemsish,
        },
        { requiredKeys: [] },
      ),
      fc.oneof(
        fc.constant<Array<[string, unknown]>>([]),
        fc.array(fc.tuple(fc.constantFrom('__proto__', 'constructor'), pollutingObject), {
          maxLength: 1,
        }),
      ),
    )
    .map(([object, extra]) => withOwnKeys(object, extra))
}

function envelope(customers: string[]): fc.Arbitrary<Record<string, unknown>> {
  const seconds = fc.oneof(
    { arbitrary: fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }), weight: 12 },
    { arbitrary: timestampish, weight: 1 },
  )
  const whole = fc.record({
    id: fc.oneof(
      { arbitrary: alnum(24).map((s) => `evt_${s}`), weight: 12 },
      { arbitrary: hostileValue, weight: 1 },
    ),
    object: fc.constant('event'),
    type: fc.oneof({ arbitrary: typeish, weight: 12 }, { arbitrary: hostileValue, weight: 1 }),
    created: seconds,
    data: fc.oneof(
      { arbitrary: fc.record({ object: dataObject(customers) }), weight: 12 },
      { arbitrary: fc.record({ object: hostileValue }), weight: 1 },
      { arbitrary: hostileValue, weight: 1 },
    ),
  })
  // Some events lose a key the route needs.
  const dropped = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 12 },
    { arbitrary: fc.constantFrom('id', 'type', 'created', 'data'), weight: 1 },
  )
  return fc.tuple(whole, dropped).map(([event, key]) => {
    const out: Record<string, unknown> = { ...event }
    if (key) delete out[key]
    return out
  })
}

const body = (customers: string[]): fc.Arbitrary<WebhookRequest['body']> =>
  fc.oneof(
    {
      arbitrary: envelope(customers).map((e) => ({
        kind: 'event' as const,
        text: JSON.stringify(e),
      })),
      weight: 60,
    },
    {
      arbitrary: fc
        .oneof(
          oddString,
          deepNesting.map((t) => t.slice(1)),
          fc.constantFrom('', '{"id":', 'NaN'),
        )
        .filter((t) => {
          try {
            JSON.parse(t)
            return false
          } catch {
            return true
          }
        })
        .map((text) => ({ kind: 'not-json' as const, text })),
      weight: 1,
    },
    {
      arbitrary: fc
        .jsonValue({ maxDepth: 3 })
        .map((v) => ({ kind: 'other-json' as const, text: JSON.stringify(v) })),
      weight: 1,
    },
    {
      arbitrary: fc.constant({
        kind: 'too-large' as const,
        text: `{"id":"${'x'.repeat(MAX_WEBHOOK_BYTES)}"}`,
      }),
      weight: 1,
    },
  )

/**
 * Whether the route must take `text` as a Stripe event: id, type, created (whole unix seconds a
 * Date can hold), data.object.
 */
export function isStripeEvent(text: string): boolean {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return false
  }
  if (typeof parsed !== 'object' || parsed === null) return false
  const e = parsed as Record<string, unknown>
  const data = e.data as Record<string, unknown> | null | undefined
  return (
    typeof e.id === 'string' &&
    typeof e.type === 'string' &&
    Number.isSafeInteger(e.created) &&
    (e.created as number) > 0 &&
    (e.created as number) <= 8.64e12 &&
    typeof data?.object === 'object' &&
    data.object !== null
  )
}

/** A webhook request: mostly well-signed, near-valid events of random types and shapes. */
export function webhookRequest(customers: string[]): fc.Arbitrary<WebhookRequest> {
  return fc.record({ body: body(customers), signature: stripeSignatureVariant })
}
