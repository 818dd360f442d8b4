import fc from 'fast-check'

/**
 * Hostile values any field may be given: wrong types, edge numbers, huge and odd strings,
 * prototype-pollution keys. Shared by the intake and webhook generators.
 */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** `n` characters of `[A-Za-z0-9]`, the alphabet of Salesforce ids. */
export const alnum = (n: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...ALNUM), minLength: n, maxLength: n })

/** Numbers JSON carries badly or a schema should refuse: NaN and ±Infinity become `null`. */
export const oddNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    -0,
    0.5,
    1.5,
    -2.5,
    1e21,
    1e308,
    -1e308,
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_VALUE,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ),
  fc.integer(),
  fc.double(),
)

/** Strings that are text, but hardly what a field means: controls, lone surrogates, injection. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    'null',
    'undefined',
    'NaN',
    '10',
    '-1',
    '1e3',
    '\u0000',
    '\ud800',
    'a\udfffb',
    '\u202egnp.exe',
    '<script>alert(1)</script>',
    "'; DROP TABLE quarantine; --",
    '%00%ff',
    '../../etc/passwd',
    '${process.env}',
  ),
)

/** Long strings (1 k to 20 k characters) of one repeated, sometimes multi-byte, character. */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('x', 'é', '😀', '"', '\\', '\u0000'),
    fc.integer({ min: 1_000, max: 20_000 }),
  )
  .map(([c, n]) => c.repeat(n))

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString']

/** An object whose own keys are the ones prototype pollution abuses (`JSON.parse` makes them own). */
export const pollutingObject: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.constantFrom(...POLLUTION_KEYS), fc.jsonValue({ maxDepth: 2 }))
  .map(([key, value]) =>
    Object.fromEntries([[key, { polluted: value, prototype: { polluted: true } }]]),
  )

/** Any hostile value: the generic mutation of a field. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: oddNumber, weight: 12 },
  { arbitrary: oddString, weight: 12 },
  { arbitrary: fc.constantFrom(null, true, false), weight: 8 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 8 },
  { arbitrary: pollutingObject, weight: 4 },
  // Rare, so a batch of a few hundred events stays well under the 6 MiB limit.
  { arbitrary: hugeString, weight: 1 },
)

/** Adds own keys like `__proto__` to an object (what `JSON.parse` of hostile input yields). */
export function withOwnKeys(
  target: Record<string, unknown>,
  extra: Array<[string, unknown]>,
): Record<string, unknown> {
  for (const [key, value] of extra)
    Object.defineProperty(target, key, { value, enumerable: true, writable: true })
  return target
}

/** Text of `depth` nested arrays, built as text: the value itself would overflow a JSON.stringify. */
export const deepNesting: fc.Arbitrary<string> = fc
  .integer({ min: 1_000, max: 100_000 })
  .map((depth) => '['.repeat(depth) + ']'.repeat(depth))
