import fc from 'fast-check'
import { vendors } from '../support/vendors.ts'
import { stripeSignature } from '../webhooks/support.ts'

/** How a generated webhook is signed; only the first three are acceptable. */
export type StripeSignatureVariant =
  | { kind: 'valid' }
  | { kind: 'extra-v1'; junk: string }
  | { kind: 'extra-parts' }
  | { kind: 'skew'; seconds: number }
  | { kind: 'wrong-secret'; secret: string }
  | { kind: 'missing' }
  | { kind: 'malformed'; value: string }

const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 64 })

/** Mostly well signed; each way of getting `Stripe-Signature` wrong now and then. */
export const stripeSignatureVariant: fc.Arbitrary<StripeSignatureVariant> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'valid' as const }), weight: 16 },
  { arbitrary: hex.map((junk) => ({ kind: 'extra-v1' as const, junk })), weight: 1 },
  { arbitrary: fc.constant({ kind: 'extra-parts' as const }), weight: 1 },
  {
    arbitrary: fc
      .oneof(fc.integer({ min: 310, max: 10_000_000 }), fc.integer({ min: -10_000_000, max: -310 }))
      .map((seconds) => ({ kind: 'skew' as const, seconds })),
    weight: 1,
  },
  {
    arbitrary: fc
      .string({ minLength: 1, maxLength: 40 })
      .map((secret) => ({ kind: 'wrong-secret' as const, secret })),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: 'missing' as const }), weight: 1 },
  {
    arbitrary: fc
      .oneof(
        fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
        fc.constantFrom('t=abc,v1=00', 'v1=00', 't=1', '=', ',', 't=,v1='),
      )
      .map((value) => ({ kind: 'malformed' as const, value })),
    weight: 1,
  },
)

/** Whether a webhook signed this way must be let in. */
export function stripeSignatureAccepted(variant: StripeSignatureVariant): boolean {
  return variant.kind === 'valid' || variant.kind === 'extra-v1' || variant.kind === 'extra-parts'
}

/** The `Stripe-Signature` header for `body` (signed as Stripe does), bent as the variant says. */
export async function stripeSignatureHeader(
  variant: StripeSignatureVariant,
  body: string,
): Promise<string | undefined> {
  const secret = (vendors().bindings.STRIPE_WEBHOOK_SECRET ?? '').split(',')[0]
  const now = Math.floor(Date.now() / 1000)
  switch (variant.kind) {
    case 'valid':
      return stripeSignature(body, secret)
    case 'extra-v1':
      return `${await stripeSignature(body, secret)},v1=${variant.junk}`
    case 'extra-parts':
      return `${await stripeSignature(body, secret)},v0=${'0'.repeat(64)},scheme=x`
    case 'skew':
      return stripeSignature(body, secret, now + variant.seconds)
    case 'wrong-secret':
      return stripeSignature(body, variant.secret)
    case 'missing':
      return undefined
    case 'malformed':
      return variant.value
  }
}
