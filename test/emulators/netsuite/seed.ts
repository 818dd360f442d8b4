import type { FieldDef, RecordContext, RecordDef } from './records/model.ts'
import { defOf } from './records/registry.ts'
import { applyBody } from './records/write.ts'
import type { NsRecord } from './store.ts'

/**
 * A record to seed: a REST body of its type (e.g. `{companyName, subsidiary: {id: 1}}`), plus an
 * optional fixed internal `id`. References may also be written `"eid:<externalId>"`, and
 * invoices, credit memos and sales orders may give `amount` instead of `item` lines (one line of
 * the first item). Seeds go through the same validation as REST writes but record no effects.
 */
export type SeedRecord = Record<string, unknown> & { id?: number }

export interface NetsuiteSeed {
  currencies?: SeedRecord[]
  subsidiaries?: SeedRecord[]
  items?: SeedRecord[]
  customers?: SeedRecord[]
  salesOrders?: SeedRecord[]
  invoices?: SeedRecord[]
  taxTypes?: SeedRecord[]
  taxCodes?: SeedRecord[]
  payments?: SeedRecord[]
  creditMemos?: SeedRecord[]
  subscriptions?: SeedRecord[]
  changeOrders?: SeedRecord[]
}

const ORDER: Array<[keyof NetsuiteSeed, string]> = [
  ['currencies', 'currency'],
  ['subsidiaries', 'subsidiary'],
  ['items', 'item'],
  ['taxTypes', 'taxType'],
  ['taxCodes', 'salesTaxItem'],
  ['customers', 'customer'],
  ['salesOrders', 'salesOrder'],
  ['invoices', 'invoice'],
  ['payments', 'customerpayment'],
  ['creditMemos', 'creditmemo'],
  ['subscriptions', 'subscription'],
  ['changeOrders', 'subscriptionChangeOrder'],
]

/** Lists every account has unless the seed brings its own: currencies, one subsidiary, one item. */
export const BASELINE: NetsuiteSeed = {
  currencies: [
    { id: 1, name: 'USD', symbol: 'USD' },
    { id: 2, name: 'GBP', symbol: 'GBP' },
    { id: 3, name: 'CAD', symbol: 'CAD' },
    { id: 4, name: 'EUR', symbol: 'EUR' },
  ],
  subsidiaries: [{ id: 1, name: 'Parent Company', currency: { id: 1 } }],
  items: [{ id: 1, itemId: 'Services', itemType: 'serviceSaleItem', rate: 0 }],
  // SuiteTax: one type per kind of tax, and a code per jurisdiction Concord's demo sells into.
  taxTypes: [
    { id: 1, name: 'Sales Tax', country: 'US' },
    { id: 2, name: 'VAT', country: 'DE' },
  ],
  taxCodes: [
    { id: 1, itemId: 'US-CA', description: 'California', rate: 7.25, taxType: { id: 1 } },
    { id: 2, itemId: 'DE-VAT', description: 'Germany', rate: 19, taxType: { id: 2 } },
    {
      id: 3,
      itemId: 'EXEMPT',
      description: 'Exempt or reverse charge',
      rate: 0,
      taxType: { id: 1 },
    },
  ],
}

function resolveEids(
  fields: Record<string, FieldDef>,
  body: Record<string, unknown>,
  ctx: RecordContext,
): void {
  for (const [key, value] of Object.entries(body)) {
    const name = Object.keys(fields).find((n) => n.toLowerCase() === key.toLowerCase())
    const def = name ? fields[name] : undefined
    if (def?.kind !== 'ref' || typeof value !== 'string' || !value.startsWith('eid:')) continue
    const target = ctx.store.byExternalId(def.ref!, value.slice(4))
    if (!target) throw new Error(`seed: no ${def.ref} with external id ${value.slice(4)}`)
    body[key] = { id: String(target.id) }
  }
}

function prepare(def: RecordDef, input: SeedRecord, ctx: RecordContext): Record<string, unknown> {
  const { id: _id, amount, ...body } = structuredClone(input)
  resolveEids(def.fields, body, ctx)
  for (const [name, sub] of Object.entries(def.sublists)) {
    const lines = (body[name] as { items?: unknown[] } | undefined)?.items ?? []
    for (const line of lines)
      if (line && typeof line === 'object')
        resolveEids(sub.fields, line as Record<string, unknown>, ctx)
  }
  if (typeof amount === 'number' && 'item' in def.sublists && body.item === undefined) {
    const first = ctx.store.all('item')[0]
    if (!first) throw new Error('seed: an amount needs at least one item')
    body.item = { items: [{ item: { id: String(first.id) }, quantity: 1, rate: amount }] }
  }
  return body
}

/**
 * Creates one record of `type` as if through REST (validation, defaults, side effects on other
 * records), without an effect in the ledger.
 * @throws NetsuiteError when NetSuite would refuse the record; Error on a bad `eid:` reference.
 */
export function createRecord(ctx: RecordContext, type: string, input: SeedRecord): NsRecord {
  const def = defOf(type)
  const draft = applyBody(def, undefined, prepare(def, input, ctx), new Set(), ctx)
  if (draft.externalId !== undefined && ctx.store.byExternalId(def.id, draft.externalId)) {
    throw new Error(`seed: ${def.id} with external id ${draft.externalId} already exists`)
  }
  const record = ctx.store.insert({
    type: def.id,
    id: input.id,
    externalId: draft.externalId,
    fields: draft.fields,
    lines: draft.lines,
  })
  def.afterWrite?.(record, undefined, ctx)
  return record
}

/** Loads a seed in dependency order; returns what was created, by seed key. */
export function loadSeed(
  ctx: RecordContext,
  seed: NetsuiteSeed,
): Record<string, Array<{ id: number; externalId?: string }>> {
  const created: Record<string, Array<{ id: number; externalId?: string }>> = {}
  for (const [key, type] of ORDER) {
    for (const input of seed[key] ?? []) {
      const record = createRecord(ctx, type, input)
      ;(created[key] ??= []).push({ id: record.id, externalId: record.externalId })
    }
  }
  return created
}

/** The baseline with the seed's own lists in place of the baseline's, then the rest of the seed. */
export function withBaseline(seed: NetsuiteSeed = {}): NetsuiteSeed {
  return {
    ...seed,
    currencies: seed.currencies ?? BASELINE.currencies,
    subsidiaries: seed.subsidiaries ?? BASELINE.subsidiaries,
    items: seed.items ?? BASELINE.items,
    taxTypes: seed.taxTypes ?? BASELINE.taxTypes,
    taxCodes: seed.taxCodes ?? BASELINE.taxCodes,
  }
}
