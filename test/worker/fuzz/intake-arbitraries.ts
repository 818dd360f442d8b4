import fc from 'fast-check'
import { AMENDMENT_ACTIONS, CANCEL_MODES, PRORATION_MODES } from '../../../shared/index.ts'
import {
  alnum,
  deepNesting,
  hostileValue,
  oddNumber,
  oddString,
  pollutingObject,
  withOwnKeys,
} from './values.ts'

/** One generated event, as the JSON text it is sent as. */
export interface FuzzEvent {
  json: string
  /** Certainly invalid (not an object, a required field missing or null, an unknown action). */
  mustReject: boolean
}

const DELETE = Symbol('delete')
type FieldValue = unknown

const REQUIRED = new Set([
  'EventUuid',
  'CreatedDate',
  'Account_Id__c',
  'Subscription_Key__c',
  'Sequence__c',
  'Action__c',
  'Correlation_Id__c',
])

const salesforceIdish = fc.oneof(
  fc.integer({ min: 13, max: 20 }).chain(alnum),
  alnum(12).map((s) => `001${s}`),
  alnum(15).map((s) => `001${s}`),
  alnum(12).map((s) => `003${s}`),
  alnum(11).map((s) => `001${s}!`),
  fc.constantFrom('001' + '٠'.repeat(12), '001hs00000xk9zpiaj', '001Hs00000Xk9Zp   ', ''),
)

const dateTimeish = fc.oneof(
  fc.constantFrom(
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-21T25:61:61Z',
    '2026-11-21',
    '21/11/2026 09:30',
    '+275760-09-13T00:00:00Z',
    '9999-12-31T23:59:59.999+2400',
    '0000-01-01T00:00:00.000+0000',
    '2026-11-21T09:30:02.0000000+0000',
    '2026-11-21T09:30:02.000-9999',
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
)

const dateish = fc.constantFrom(
  '2026-02-29',
  '2024-02-29',
  '2026-1-1',
  '20261201',
  '2026-12-01T00:00:00Z',
  '9999-99-99',
)

const actionish = fc.oneof(
  fc.constantFrom('Create', ' create', 'CREATE', 'upgrade', 'delete', 'cancel ', ''),
  oddString,
)

const uuidish = fc.oneof(
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().map((u) => `{${u}}`),
  fc.uuid().map((u) => u.replace(/-/g, '')),
  fc.uuid().map((u) => u.slice(0, 35)),
  fc.constant('00000000-0000-0000-0000-000000000000'),
)

const numberish = fc.oneof(oddNumber, fc.constantFrom('10', '1', '-1', '1.0', '0x10', ''))

/** Field-specific wrong values, beside the generic hostile ones. */
const SPECIFIC: Record<string, fc.Arbitrary<FieldValue>> = {
  EventUuid: uuidish,
  ReplayId: fc.oneof(oddNumber, oddString),
  CreatedDate: dateTimeish,
  CreatedById: salesforceIdish,
  Account_Id__c: salesforceIdish,
  Subscription_Key__c: fc.oneof(oddString, alnum(81)),
  Sequence__c: numberish,
  Action__c: actionish,
  Price_Key__c: fc.oneof(oddString, fc.constantFrom('PRO-MONTHLY-USD', 'gold-plan')),
  Quantity__c: numberish,
  Effective_Date__c: dateish,
  Proration__c: fc.oneof(fc.constantFrom('Create_Prorations', 'prorate'), oddString),
  Proration_Date__c: numberish,
  Cancel_Mode__c: fc.oneof(fc.constantFrom('now', 'At_Period_End'), oddString),
  Correlation_Id__c: fc.oneof(oddString, alnum(65)),
  Requested_By__c: salesforceIdish,
}
const FIELDS = Object.keys(SPECIFIC)

const mutation: fc.Arbitrary<[string, FieldValue]> = fc.tuple(
  fc.constantFrom(...FIELDS),
  fc.oneof(
    { arbitrary: fc.constant<FieldValue>(DELETE), weight: 1 },
    { arbitrary: fc.constant<FieldValue>(null), weight: 1 },
    { arbitrary: hostileValue, weight: 2 },
  ),
)

const fieldMutation: fc.Arbitrary<[string, FieldValue]> = fc.oneof(
  {
    arbitrary: fc
      .constantFrom(...FIELDS)
      .chain((f) => fc.tuple(fc.constant(f), SPECIFIC[f] ?? hostileValue)),
    weight: 3,
  },
  { arbitrary: mutation, weight: 2 },
)

function isCertainlyInvalid(field: string, value: FieldValue): boolean {
  if (REQUIRED.has(field) && (value === DELETE || value === null)) return true
  return field === 'Action__c' && !(AMENDMENT_ACTIONS as readonly unknown[]).includes(value)
}

/** A valid event for one of `accounts`, then 0–3 of its fields mutated, maybe polluting keys. */
export function nearValidEvent(accounts: string[], priceKeys: string[]): fc.Arbitrary<FuzzEvent> {
  const base = fc.record({
    attributes: fc.constant({ type: 'Subscription_Amendment__e' }),
    EventUuid: fc.uuid({ version: 4 }),
    ReplayId: fc.integer({ min: 1, max: 1e8 }).map(String),
    CreatedDate: fc.constantFrom('2026-11-21T09:30:02.000+0000', '2026-11-21T09:30:02Z'),
    CreatedById: fc.constant('005Hs00000A1b2cIAB'),
    Account_Id__c: fc.constantFrom(...accounts),
    Subscription_Key__c: fc.constantFrom('SUB-A', 'SUB-B', 'SUB-C'),
    Sequence__c: fc.integer({ min: 1, max: 4 }),
    Action__c: fc.constantFrom(...AMENDMENT_ACTIONS),
    Price_Key__c: fc.constantFrom(...priceKeys),
    Quantity__c: fc.integer({ min: 1, max: 50 }),
    Effective_Date__c: fc.constantFrom(null, '2026-12-01'),
    Proration__c: fc.constantFrom(...PRORATION_MODES),
    Cancel_Mode__c: fc.constantFrom(null, ...CANCEL_MODES),
    Correlation_Id__c: fc.uuid(),
    Requested_By__c: fc.constant('005Hs00000A1b2cIAB'),
  })
  const extras = fc.array(
    fc.oneof(
      fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), pollutingObject),
      fc.tuple(oddString, hostileValue),
    ),
    { maxLength: 2 },
  )
  return fc
    .tuple(
      base,
      fc.array(fieldMutation, { maxLength: 3 }),
      fc.oneof(fc.constant<Array<[string, unknown]>>([]), extras),
    )
    .map(([event, mutations, extra]) => {
      const out: Record<string, unknown> = { ...event }
      const final = new Map(mutations)
      for (const [field, value] of final) {
        if (value === DELETE) delete out[field]
        else out[field] = value
      }
      const mustReject = [...final].some(([field, value]) => isCertainlyInvalid(field, value))
      return { json: JSON.stringify(withOwnKeys(out, extra)), mustReject }
    })
}

/** Anything but an event object: primitives, arrays, deep nesting. */
const notAnEvent: fc.Arbitrary<FuzzEvent> = fc.oneof(
  fc
    .jsonValue({ maxDepth: 2 })
    .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
    .map((v) => ({ json: JSON.stringify(v), mustReject: true })),
  deepNesting.map((json) => ({ json, mustReject: true })),
)

/** Mostly near-valid events, some valid-looking junk objects, some non-objects. */
export function fuzzEvent(accounts: string[], priceKeys: string[]): fc.Arbitrary<FuzzEvent> {
  return fc.oneof(
    { arbitrary: nearValidEvent(accounts, priceKeys), weight: 12 },
    {
      arbitrary: fc
        .dictionary(fc.constantFrom(...FIELDS), hostileValue)
        .map((o) => ({ json: JSON.stringify(o), mustReject: !('EventUuid' in o) })),
      weight: 1,
    },
    { arbitrary: notAnEvent, weight: 1 },
  )
}

/** An event with one field past SQLite's 2 MB value limit, on its own or with a few others. */
export function oversizedEvent(accounts: string[], priceKeys: string[]): fc.Arbitrary<FuzzEvent> {
  return fc
    .tuple(
      nearValidEvent(accounts, priceKeys),
      // ReplayId is a free-text field a valid event carries: the way a giant value reaches a ledger.
      fc.oneof(fc.constant('ReplayId'), fc.constantFrom(...FIELDS)),
      fc.integer({ min: 2_100_000, max: 2_600_000 }),
    )
    .map(([event, field, size]) => {
      const parsed = JSON.parse(event.json) as Record<string, unknown>
      parsed[field] = 'y'.repeat(size)
      return { json: JSON.stringify(parsed), mustReject: false }
    })
}
