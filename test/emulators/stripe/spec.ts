import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import ts from 'typescript'

/**
 * Checks response bodies against the shapes of the pinned API version (`2026-10-28.endive`).
 *
 * No npm package ships Stripe's OpenAPI spec, so the schema is derived from the next best
 * published source: the type declarations of the official `stripe` SDK at the version that pins
 * this API version (23.1.0; `OPENAPI_VERSION` v2596), which Stripe generates from that spec. A
 * field the declaration marks required is one the spec lists as always present; `| null` is the
 * spec's `nullable`; `?` is a field the spec leaves out unless expanded or applicable. So a body
 * fails when it misses an always-present field, carries `null` where the spec has none, has a
 * value of the wrong type, or carries a field the spec does not have at this version (such as
 * the top-level `proration` on line items that `basil` removed).
 */

const require = createRequire(import.meta.url)
const RESOURCES = join(dirname(require.resolve('stripe')), '..', 'esm', 'resources')

/** Stripe's `object` value → the declaration that describes it. */
const OBJECTS: Record<string, [file: string, name: string]> = {
  customer: ['Customers.d.ts', 'Customer'],
  product: ['Products.d.ts', 'Product'],
  price: ['Prices.d.ts', 'Price'],
  subscription: ['Subscriptions.d.ts', 'Subscription'],
  subscription_item: ['SubscriptionItems.d.ts', 'SubscriptionItem'],
  subscription_schedule: ['SubscriptionSchedules.d.ts', 'SubscriptionSchedule'],
  invoice: ['Invoices.d.ts', 'Invoice'],
  line_item: ['InvoiceLineItems.d.ts', 'InvoiceLineItem'],
  invoiceitem: ['InvoiceItems.d.ts', 'InvoiceItem'],
  invoice_payment: ['InvoicePayments.d.ts', 'InvoicePayment'],
  charge: ['Charges.d.ts', 'Charge'],
  refund: ['Refunds.d.ts', 'Refund'],
  credit_note: ['CreditNotes.d.ts', 'CreditNote'],
  event: ['Events.d.ts', 'EventBase'],
  webhook_endpoint: ['WebhookEndpoints.d.ts', 'WebhookEndpoint'],
  tax_id: ['TaxIds.d.ts', 'TaxId'],
  tax_rate: ['TaxRates.d.ts', 'TaxRate'],
  'billing.meter': ['Billing/Meters.d.ts', 'Meter'],
  'billing.meter_event': ['Billing/MeterEvents.d.ts', 'MeterEvent'],
  'billing.meter_event_summary': ['Billing/MeterEventSummaries.d.ts', 'MeterEventSummary'],
}

/** Stripe's error body (`#/components/schemas/error`), the fields a v1 error carries. */
const ERROR_FIELDS = new Set([
  'type',
  'message',
  'code',
  'param',
  'doc_url',
  'decline_code',
  'charge',
  'request_log_url',
  'payment_intent',
  'setup_intent',
  'source',
  'payment_method',
  'payment_method_type',
  'advice_code',
  'network_advice_code',
  'network_decline_code',
])
const ERROR_TYPES = new Set([
  'api_error',
  'card_error',
  'idempotency_error',
  'invalid_request_error',
])

let loaded: { checker: ts.TypeChecker; types: Map<string, ts.Type> } | undefined

function load(): NonNullable<typeof loaded> {
  if (loaded) return loaded
  const files = [...new Set(Object.values(OBJECTS).map(([f]) => join(RESOURCES, f)))]
  const program = ts.createProgram(files, { strict: true, noEmit: true, skipLibCheck: true })
  const checker = program.getTypeChecker()
  const types = new Map<string, ts.Type>()
  for (const [object, [file, name]] of Object.entries(OBJECTS)) {
    const source = program.getSourceFile(join(RESOURCES, file))
    source?.forEachChild((node) => {
      if (ts.isInterfaceDeclaration(node) && node.name.text === name)
        types.set(object, checker.getTypeAtLocation(node))
    })
    if (!types.has(object)) throw new Error(`spec: no ${name} in ${file}`)
  }
  loaded = { checker, types }
  return loaded
}

/**
 * Builds the SDK's declarations into a type checker now (seconds of work, more on a busy machine),
 * so a suite can pay for it in a hook with room for it rather than inside its first test.
 */
export function loadSpec(): void {
  load()
}

/**
 * Every way `body` departs from the pinned version's shape, as `path: problem` lines (empty when
 * it conforms). Objects are recognised by their `object` field; lists by their items; error
 * bodies by `error`.
 */
export function specProblems(body: unknown, path = '$'): string[] {
  if (!isRecord(body)) return [`${path}: not an object`]
  if (isRecord(body['error'])) return errorProblems(body['error'], `${path}.error`)
  const object = body['object']
  if (object === 'list' || object === 'search_result') {
    const data = body['data']
    if (!Array.isArray(data)) return [`${path}.data: not an array`]
    return data.flatMap((item, i) => specProblems(item, `${path}.data[${i}]`))
  }
  // A deletion answers `{ id, object, deleted: true }` (the spec's `deleted_*` schemas).
  if (body['deleted'] === true)
    return Object.keys(body)
      .filter((k) => k !== 'id' && k !== 'object' && k !== 'deleted')
      .map((k) => `${path}.${k}: not in the deleted ${String(object)} schema`)
  const { checker, types } = load()
  const type = typeof object === 'string' ? types.get(object) : undefined
  if (!type) return [`${path}: no schema for object ${JSON.stringify(object)}`]
  return check(checker, type, body, `${path}(${String(object)})`)
}

function errorProblems(err: Record<string, unknown>, path: string): string[] {
  const out: string[] = []
  if (!ERROR_TYPES.has(String(err['type']))) out.push(`${path}.type: ${String(err['type'])}`)
  if (typeof err['message'] !== 'string') out.push(`${path}.message: not a string`)
  for (const [k, v] of Object.entries(err)) {
    if (!ERROR_FIELDS.has(k)) out.push(`${path}.${k}: not in the spec`)
    else if (typeof v !== 'string') out.push(`${path}.${k}: not a string`)
  }
  return out
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function check(checker: ts.TypeChecker, type: ts.Type, value: unknown, path: string): string[] {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return []
  if (type.isUnion()) return checkUnion(checker, type, value, path)
  if (value === null)
    return type.flags & ts.TypeFlags.Null ? [] : [`${path}: null where the spec has no null`]
  if (type.flags & ts.TypeFlags.StringLike || isDecimal(type) || isOtherString(type))
    return literalMismatch(type, value, 'string', path)
  if (type.flags & ts.TypeFlags.NumberLike) return literalMismatch(type, value, 'number', path)
  if (type.flags & ts.TypeFlags.BooleanLike) return literalMismatch(type, value, 'boolean', path)
  if (checker.isArrayType(type)) {
    if (!Array.isArray(value)) return [`${path}: not an array`]
    const item = checker.getTypeArguments(type as ts.TypeReference)[0]
    return item ? value.flatMap((v, i) => check(checker, item, v, `${path}[${i}]`)) : []
  }
  if (!isRecord(value)) return [`${path}: not an object`]
  return checkObject(checker, type, value, path)
}

function checkUnion(
  checker: ts.TypeChecker,
  type: ts.UnionType,
  value: unknown,
  path: string,
): string[] {
  if (value === null)
    return type.types.some((t) => t.flags & ts.TypeFlags.Null)
      ? []
      : [`${path}: null where the spec has no null`]
  let best: string[] | undefined
  for (const member of type.types) {
    if (member.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)) continue
    const problems = check(checker, member, value, path)
    if (problems.length === 0) return []
    if (!best || problems.length < best.length) best = problems
  }
  return best ?? [`${path}: matches no member of the union`]
}

function checkObject(
  checker: ts.TypeChecker,
  type: ts.Type,
  value: Record<string, unknown>,
  path: string,
): string[] {
  const index = checker.getIndexInfosOfType(type)[0]
  if (index)
    return Object.entries(value).flatMap(([k, v]) => check(checker, index.type, v, `${path}.${k}`))
  const props = checker.getPropertiesOfType(type)
  // An event's `data.object` is declared open (`{}`): check it as the object it says it is.
  // Its `previous_attributes` holds any subset of that object's fields.
  if (props.length === 0)
    return typeof value['object'] === 'string' ? specProblems(value, path) : []
  const out: string[] = []
  const declared = new Set<string>()
  for (const prop of props) {
    declared.add(prop.name)
    const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0
    if (!(prop.name in value)) {
      if (!optional) out.push(`${path}.${prop.name}: missing (always present at this version)`)
      continue
    }
    out.push(
      ...check(checker, checker.getTypeOfSymbol(prop), value[prop.name], `${path}.${prop.name}`),
    )
  }
  for (const k of Object.keys(value))
    if (!declared.has(k)) out.push(`${path}.${k}: not in the spec at this version`)
  return out
}

/** The SDK's `Decimal` (a class it parses decimal strings into): a string on the wire. */
function isDecimal(type: ts.Type): boolean {
  return (
    type.aliasSymbol?.getName() === 'Decimal' ||
    (type.isIntersection() && type.types.some((t) => t.getSymbol()?.getName() === 'DecimalImpl'))
  )
}

/** `OtherString` (`string & {}`): the SDK's "any other value" arm of an enum. */
function isOtherString(type: ts.Type): boolean {
  return type.isIntersection() && type.types.some((t) => t.flags & ts.TypeFlags.String)
}

function literalMismatch(type: ts.Type, value: unknown, kind: string, path: string): string[] {
  if (typeof value !== kind) return [`${path}: ${JSON.stringify(value)} is not a ${kind}`]
  if (type.isLiteral() && type.value !== value)
    return [`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(type.value)}`]
  if (type.flags & ts.TypeFlags.BooleanLiteral) {
    const want = (type as unknown as { intrinsicName: string }).intrinsicName === 'true'
    if (value !== want) return [`${path}: ${String(value)} is not ${String(want)}`]
  }
  return []
}
