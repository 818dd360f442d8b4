import fc from 'fast-check'
import { signRequest } from '../../../worker/lib/signature.ts'
import { TEST_EVENTS_SECRET } from '../support/test-config.ts'
import { fuzzEvent, oversizedEvent, type FuzzEvent } from './intake-arbitraries.ts'
import { oddString } from './values.ts'

/** How a generated request is signed; only some of these variants are acceptable. */
export type SignatureVariant =
  | { kind: 'valid' | 'uppercase-hex' | 'tampered' }
  | { kind: 'extra-v1'; junk: string }
  | { kind: 'missing'; which: 'both' | 'timestamp' | 'signature' }
  | { kind: 'skew'; seconds: number }
  | { kind: 'wrong-secret'; secrets: string[] }
  | { kind: 'malformed'; value: string }
  | { kind: 'bad-timestamp'; value: string }

export type IntakeBody =
  | { kind: 'batch'; events: FuzzEvent[]; text: string }
  | { kind: 'too-many' | 'not-a-batch' | 'malformed'; text: string }

export interface IntakeRequest {
  method: string
  contentType?: string
  body: IntakeBody
  signature: SignatureVariant
}

/** The window is 300 s; a margin keeps the clock's tick between signing and checking harmless. */
const INSIDE_WINDOW = 290
const OUTSIDE_WINDOW = 310

const headerText = fc.string({ unit: 'grapheme-ascii', maxLength: 80 })
const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 64 })

const signature: fc.Arbitrary<SignatureVariant> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'valid' as const }), weight: 24 },
  { arbitrary: fc.constant({ kind: 'uppercase-hex' as const }), weight: 1 },
  { arbitrary: hex.map((junk) => ({ kind: 'extra-v1' as const, junk })), weight: 1 },
  {
    arbitrary: fc
      .integer({ min: -INSIDE_WINDOW, max: INSIDE_WINDOW })
      .map((seconds) => ({ kind: 'skew' as const, seconds })),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: 'tampered' as const }), weight: 1 },
  {
    arbitrary: fc
      .constantFrom('both' as const, 'timestamp' as const, 'signature' as const)
      .map((which) => ({ kind: 'missing' as const, which })),
    weight: 1,
  },
  {
    arbitrary: fc
      .oneof(
        fc.integer({ min: OUTSIDE_WINDOW, max: 10_000_000 }),
        fc.integer({ min: -10_000_000, max: -OUTSIDE_WINDOW }),
      )
      .map((seconds) => ({ kind: 'skew' as const, seconds })),
    weight: 1,
  },
  {
    arbitrary: fc
      .array(fc.string({ minLength: 1, maxLength: 64 }), { minLength: 1, maxLength: 3 })
      .map((secrets) => ({ kind: 'wrong-secret' as const, secrets })),
    weight: 1,
  },
  {
    arbitrary: fc
      .oneof(
        headerText,
        fc.constantFrom('v1=', 'v2=abc', 'V1=abc', 'sha256=abc', 'v1=zz,v1=', ',,,'),
        hex,
      )
      .map((value) => ({ kind: 'malformed' as const, value })),
    weight: 1,
  },
  {
    arbitrary: fc
      .constantFrom('abc', '1.7e9', '-1', '0x10', '1234567890123', ' 1', '１２３')
      .map((value) => ({ kind: 'bad-timestamp' as const, value })),
    weight: 1,
  },
)

/** Whether a request signed this way must be let in. */
export function signatureAccepted(variant: SignatureVariant): boolean {
  if (variant.kind === 'skew') return Math.abs(variant.seconds) <= INSIDE_WINDOW
  return variant.kind === 'valid' || variant.kind === 'uppercase-hex' || variant.kind === 'extra-v1'
}

/** The signature headers for `body`, always made by `signRequest`, then bent as the variant says. */
export async function signatureHeaders(
  variant: SignatureVariant,
  body: string,
): Promise<Record<string, string>> {
  const now = Math.floor(Date.now() / 1000)
  const ts = 'X-Concord-Timestamp'
  const sig = 'X-Concord-Signature'
  const sign = (
    secret: string,
    signed: string,
    opts: { timestamp?: number; nonce?: string } = {},
  ) => signRequest(secret, { method: 'POST', target: '/v1/salesforce/events', body: signed }, opts)
  switch (variant.kind) {
    case 'valid':
      return sign(TEST_EVENTS_SECRET, body)
    case 'skew':
      return sign(TEST_EVENTS_SECRET, body, { timestamp: now + variant.seconds })
    case 'tampered':
      return sign(TEST_EVENTS_SECRET, `${body} `)
    case 'uppercase-hex': {
      const h = await sign(TEST_EVENTS_SECRET, body)
      return { ...h, [sig]: `v2=${(h[sig] ?? '').slice(3).toUpperCase()}` }
    }
    case 'extra-v1': {
      const h = await sign(TEST_EVENTS_SECRET, body)
      return { ...h, [sig]: `v2=${variant.junk}, ${h[sig] ?? ''}` }
    }
    case 'wrong-secret': {
      // One timestamp and nonce for every value, as a sender rotating keys would send them.
      const nonce = crypto.randomUUID().replaceAll('-', '')
      const all = await Promise.all(
        variant.secrets.map((s) => sign(s, body, { timestamp: now, nonce })),
      )
      return { ...all[0], [sig]: all.map((h) => h[sig] ?? '').join(',') }
    }
    case 'missing': {
      const h = await sign(TEST_EVENTS_SECRET, body)
      if (variant.which === 'both') return {}
      const rest = { ...h }
      delete rest[variant.which === 'timestamp' ? ts : sig]
      return rest
    }
    case 'malformed':
      return { ...(await sign(TEST_EVENTS_SECRET, body)), [sig]: variant.value }
    case 'bad-timestamp':
      return { ...(await sign(TEST_EVENTS_SECRET, body)), [ts]: variant.value }
  }
}

const batchText = (events: FuzzEvent[], prefix = '') =>
  `{${prefix}"events":[${events.map((e) => e.json).join(',')}]}`

const TOP_LEVEL_EXTRAS = [
  '',
  '"__proto__":{"events":[],"polluted":true},',
  '"constructor":{"prototype":{"polluted":true}},',
  '"events":[{"shadowed":true}],',
]

function body(accounts: string[], priceKeys: string[]): fc.Arbitrary<IntakeBody> {
  const event = fuzzEvent(accounts, priceKeys)
  const batch = (min: number, max: number) =>
    fc
      .tuple(
        fc.array(event, { minLength: min, maxLength: max }),
        fc.constantFrom(...TOP_LEVEL_EXTRAS),
      )
      .map(([events, prefix]) => ({
        kind: 'batch' as const,
        events,
        text: batchText(events, prefix),
      }))
  const oversized = fc
    .tuple(oversizedEvent(accounts, priceKeys), fc.array(event, { maxLength: 2 }))
    .map(([big, rest]) => [big, ...rest])
    .map((events) => ({ kind: 'batch' as const, events, text: batchText(events) }))
  const tooMany = fc.integer({ min: 2001, max: 2400 }).map((n) => ({
    kind: 'too-many' as const,
    text: batchText(Array.from({ length: n }, () => ({ json: '{}', mustReject: true }))),
  }))
  const notABatch = fc
    .oneof(
      fc.constantFrom(
        '{"events":{}}',
        '{"events":[]}',
        '{"events":null}',
        '{"event":[{}]}',
        '[]',
        'null',
        '"events"',
        '{"events":"[]"}',
        '{"__proto__":{"events":[{}]}}',
      ),
      fc
        .jsonValue({ maxDepth: 3 })
        .filter((v) => !(typeof v === 'object' && v !== null && 'events' in v))
        .map((v) => JSON.stringify(v)),
    )
    .map((text) => ({ kind: 'not-a-batch' as const, text }))
  const malformed = fc
    .oneof(
      fc.constantFrom(
        '',
        '{"events":[1,]}',
        "{'events':[]}",
        'NaN',
        '{"events":[{"a":01}]}',
        '{"events": [ nope',
      ),
      event
        .map((e) => batchText([e]))
        .chain((t) => fc.integer({ min: 1, max: t.length - 1 }).map((cut) => t.slice(0, cut))),
      oddString.filter((s) => {
        try {
          JSON.parse(s)
          return false
        } catch {
          return true
        }
      }),
    )
    .map((text) => ({ kind: 'malformed' as const, text }))
  return fc.oneof(
    { arbitrary: batch(1, 10), weight: 4 },
    { arbitrary: batch(11, 60), weight: 4 },
    { arbitrary: batch(200, 500), weight: 3 },
    { arbitrary: oversized, weight: 1 },
    { arbitrary: tooMany, weight: 1 },
    { arbitrary: notABatch, weight: 2 },
    { arbitrary: malformed, weight: 2 },
  )
}

/** A whole intake request: method, content type, body and how it is signed. */
export function intakeRequest(
  accounts: string[],
  priceKeys: string[],
): fc.Arbitrary<IntakeRequest> {
  return fc.record(
    {
      method: fc.oneof(
        { arbitrary: fc.constant('POST'), weight: 40 },
        { arbitrary: fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE'), weight: 1 },
      ),
      contentType: fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ),
      body: body(accounts, priceKeys),
      signature,
    },
    { requiredKeys: ['method', 'body', 'signature'] },
  )
}
