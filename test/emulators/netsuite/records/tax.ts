import { NetsuiteError } from '../errors.ts'
import type { Line } from '../store.ts'
import {
  refId,
  round2,
  type Draft,
  type RecordContext,
  type RecordDef,
  type SublistDef,
} from './model.ts'

/**
 * SuiteTax, as far as Concord uses it (NetSuite REST supports no legacy tax): tax types and tax
 * codes (read-only lists), and a transaction's `taxDetails` sublist, which an integration whose
 * tax engine is elsewhere (Stripe Tax) writes itself with `taxDetailsOverride: true`. Each line
 * names its tax code (the tax type is sourced from the code when not given), the basis, the rate
 * in percent and the amount (basis × rate when not given); `taxTotal` is their sum and adds to
 * the transaction's `total`.
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/chapter_4283866360.html
 */

export const taxTypeDef: RecordDef = {
  id: 'taxType',
  label: 'Tax Type',
  customPrefix: 'custrecord_',
  readOnly: true,
  fields: { name: { kind: 'string', required: true }, country: { kind: 'string' } },
  sublists: {},
  refName: (r) => String(r.fields.name),
}

export const salesTaxItemDef: RecordDef = {
  id: 'salesTaxItem',
  label: 'Tax Code',
  customPrefix: 'custrecord_',
  readOnly: true,
  fields: {
    itemId: { kind: 'string', required: true },
    description: { kind: 'string' },
    rate: { kind: 'number' },
    taxType: { kind: 'ref', ref: 'taxType', required: true },
  },
  sublists: {},
  refName: (r) => String(r.fields.itemId),
}

export const taxDetailsSublist: SublistDef = {
  key: 'line',
  generatedKey: true,
  fields: {
    line: { kind: 'number' },
    taxDetailsReference: { kind: 'string' },
    lineName: { kind: 'string' },
    taxType: { kind: 'ref', ref: 'taxType' },
    taxCode: { kind: 'ref', ref: 'salesTaxItem', required: true },
    taxBasis: { kind: 'number' },
    taxRate: { kind: 'number' },
    taxAmount: { kind: 'number' },
  },
}

/**
 * Tax details are the tax engine's unless the transaction overrides them; an overridden line
 * gets its tax type from its code and its amount from basis × rate.
 * @throws NetsuiteError 400 for tax details without the override, or a type that is not the code's.
 */
export function taxDefaults(draft: Draft, ctx: RecordContext): void {
  const lines = draft.lines.taxDetails ?? []
  if (lines.length > 0 && draft.fields.taxDetailsOverride !== true)
    throw new NetsuiteError(
      400,
      'USER_ERROR',
      'Tax details can only be entered when Tax Details Override is checked.',
      { 'o:errorPath': 'taxDetailsOverride' },
    )
  for (const [i, line] of lines.entries()) {
    const code = ctx.store.get('salesTaxItem', refId(line.taxCode) ?? -1)
    const codeType = code?.fields.taxType
    if (line.taxType === undefined) line.taxType = codeType
    else if (refId(line.taxType) !== refId(codeType))
      throw new NetsuiteError(400, 'USER_ERROR', 'The tax type does not match the tax code.', {
        'o:errorPath': `taxDetails.items[${i}].taxType`,
      })
    line.taxRate ??= typeof code?.fields.rate === 'number' ? code.fields.rate : 0
    if (line.taxAmount === undefined)
      line.taxAmount = round2((Number(line.taxBasis ?? 0) * Number(line.taxRate)) / 100)
  }
}

/** The sum of a transaction's tax detail amounts. */
export function taxTotal(lines: Line[] | undefined): number {
  return round2((lines ?? []).reduce((sum, l) => sum + Number(l.taxAmount ?? 0), 0))
}
