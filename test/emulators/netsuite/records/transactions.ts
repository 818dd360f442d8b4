import { NetsuiteError } from '../errors.ts'
import type { NsRecord } from '../store.ts'
import { appliedTotal, invoiceRemaining, invoiceTotal, linesTotal, unapplied } from './ar.ts'
import {
  addDays,
  refId,
  round2,
  type Draft,
  type FieldDef,
  type RecordContext,
  type RecordDef,
  type SublistDef,
} from './model.ts'
import { taxDefaults, taxDetailsSublist, taxTotal } from './tax.ts'

/** `item` is keyed by `line`: lines without a known `line` are appended on update, as in NetSuite
 * (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html) — so an
 * upsert retried with the same lines doubles them unless it asks for `?replace=item`. */
const itemSublist: SublistDef = {
  key: 'line',
  generatedKey: true,
  required: true,
  fields: {
    line: { kind: 'number' },
    item: { kind: 'ref', ref: 'item', required: true },
    quantity: { kind: 'number' },
    rate: { kind: 'number' },
    amount: { kind: 'number' },
    description: { kind: 'string' },
  },
}

/** Payment/credit application, keyed by the invoice (`doc`). Simplified: NetSuite pre-lists every
 * open invoice of the customer on this sublist; here only the lines the client sends exist. */
const applySublist: SublistDef = {
  key: 'doc',
  fields: {
    doc: { kind: 'ref', ref: 'invoice', required: true },
    apply: { kind: 'boolean' },
    amount: { kind: 'number' },
  },
}

export const header = (entityField: string): Record<string, FieldDef> => ({
  [entityField]: { kind: 'ref', ref: 'customer', required: true },
  tranId: { kind: 'string' },
  tranDate: { kind: 'date' },
  subsidiary: { kind: 'ref', ref: 'subsidiary' },
  currency: { kind: 'ref', ref: 'currency' },
  memo: { kind: 'string' },
  otherRefNum: { kind: 'string' },
})

export const READ_ONLY = ['total', 'status', 'createdDate', 'lastModifiedDate']
/** Transactions that carry SuiteTax details: `taxTotal` is theirs, and adds to `total`. */
const TAXED_READ_ONLY = [...READ_ONLY, 'taxTotal']

export function headerDefaults(entityField: string, prefix: string) {
  return (draft: Draft, ctx: RecordContext, existing: NsRecord | undefined): void => {
    const f = draft.fields
    f.tranDate ??= ctx.clock.today()
    if (!existing) f.tranId ??= ctx.store.nextTranId(prefix)
    const customer = ctx.store.get('customer', refId(f[entityField]) ?? -1)
    if (customer) {
      f.subsidiary ??= customer.fields.subsidiary
      f.currency ??= customer.fields.currency
    }
    for (const line of draft.lines.item ?? []) {
      line.quantity ??= 1
      if (typeof line.amount === 'number')
        line.rate = round2(line.amount / (Number(line.quantity) || 1))
      delete line.amount
      if (line.rate === undefined) {
        const item = ctx.store.get('item', refId(line.item) ?? -1)
        line.rate = typeof item?.fields.rate === 'number' ? item.fields.rate : 0
      }
    }
  }
}

/** NetSuite refuses a transaction whose subsidiary is not the customer's (error text ours). */
export function checkSubsidiary(draft: Draft, ctx: RecordContext, entityField: string): void {
  const customer = ctx.store.get('customer', refId(draft.fields[entityField]) ?? -1)
  const want = refId(customer?.fields.subsidiary)
  if (want !== undefined && refId(draft.fields.subsidiary) !== want) {
    throw new NetsuiteError(400, 'USER_ERROR', 'The subsidiary is not valid for this customer.', {
      'o:errorPath': 'subsidiary',
    })
  }
}

/** Applications must point at open invoices of the same customer and fit what is left. */
function checkApply(
  draft: Draft,
  ctx: RecordContext,
  existing: NsRecord | undefined,
  entityField: string,
  available: number,
): void {
  const customerId = refId(draft.fields[entityField])
  let sum = 0
  for (const [i, line] of (draft.lines.apply ?? []).entries()) {
    if (line.apply === false) continue
    const path = `apply.items[${i}]`
    const invoice = ctx.store.get('invoice', refId(line.doc) ?? -1)!
    if (refId(invoice.fields.entity) !== customerId) {
      throw new NetsuiteError(
        400,
        'INVALID_KEY_OR_REF',
        `Invalid doc reference key ${invoice.id}.`,
        { 'o:errorPath': `${path}.doc` },
      )
    }
    const amount = Number(line.amount ?? invoiceRemaining(ctx.store, invoice, existing))
    line.amount = amount
    if (!(amount > 0) || amount > invoiceRemaining(ctx.store, invoice, existing) + 1e-9) {
      throw new NetsuiteError(
        400,
        'USER_ERROR',
        `The amount applied to invoice ${String(invoice.fields.tranId)} exceeds its amount remaining.`,
        { 'o:errorPath': `${path}.amount` },
      )
    }
    sum += amount
  }
  if (sum > available + 1e-9) {
    throw new NetsuiteError(
      400,
      'USER_ERROR',
      'The total applied exceeds the amount available to apply.',
      { 'o:errorPath': 'apply' },
    )
  }
}

/** Bumps every invoice an apply sublist touched before or after the save. */
function touchApplied(record: NsRecord, before: Draft | undefined, ctx: RecordContext): void {
  const ids = new Set(
    [...(before?.lines.apply ?? []), ...(record.lines.apply ?? [])].map((l) => refId(l.doc)),
  )
  for (const id of ids) {
    const invoice = id === undefined ? undefined : ctx.store.get('invoice', id)
    if (invoice) ctx.store.touch(invoice)
  }
}

/** Transaction status as SuiteQL's one-letter code and its display text; undefined if unknown. */
export function tranStatus(
  record: NsRecord,
  ctx: RecordContext,
): { id: string; refName: string } | undefined {
  switch (record.type) {
    case 'invoice':
      return invoiceRemaining(ctx.store, record) > 0
        ? { id: 'A', refName: 'Open' }
        : { id: 'B', refName: 'Paid In Full' }
    case 'creditmemo':
      return unapplied(record, ctx.store) > 0
        ? { id: 'A', refName: 'Open' }
        : { id: 'B', refName: 'Fully Applied' }
    case 'salesOrder':
      return record.fields.orderStatus === 'A'
        ? { id: 'A', refName: 'Pending Approval' }
        : { id: 'B', refName: 'Pending Fulfillment' }
    default:
      return undefined
  }
}

export const salesOrderDef: RecordDef = {
  id: 'salesOrder',
  label: 'Sales Order',
  tranType: 'SalesOrd',
  tranIdPrefix: 'SO',
  customPrefix: 'custbody_',
  fields: {
    ...header('entity'),
    orderStatus: { kind: 'enum', values: { A: 'Pending Approval', B: 'Pending Fulfillment' } },
    startDate: { kind: 'date' },
    endDate: { kind: 'date' },
    taxDetailsOverride: { kind: 'boolean' },
  },
  readOnlyFields: TAXED_READ_ONLY,
  sublists: { item: itemSublist, taxDetails: taxDetailsSublist },
  defaults(draft, ctx, existing) {
    headerDefaults('entity', 'SO')(draft, ctx, existing)
    draft.fields.orderStatus ??= 'B'
    taxDefaults(draft, ctx)
  },
  validate: (draft, ctx) => checkSubsidiary(draft, ctx, 'entity'),
  derive: (r, ctx) => ({
    taxTotal: taxTotal(r.lines.taxDetails),
    total: round2(linesTotal(r.lines.item) + taxTotal(r.lines.taxDetails)),
    status: tranStatus(r, ctx),
  }),
  refName: (r) => `Sales Order #${String(r.fields.tranId)}`,
}

export const invoiceDef: RecordDef = {
  id: 'invoice',
  label: 'Invoice',
  tranType: 'CustInvc',
  tranIdPrefix: 'INV',
  customPrefix: 'custbody_',
  fields: {
    ...header('entity'),
    dueDate: { kind: 'date' },
    createdFrom: { kind: 'ref', ref: 'salesOrder' },
  },
  readOnlyFields: [...READ_ONLY, 'amountPaid', 'amountRemaining'],
  sublists: { item: itemSublist },
  defaults(draft, ctx, existing) {
    headerDefaults('entity', 'INV')(draft, ctx, existing)
    draft.fields.dueDate ??= addDays(String(draft.fields.tranDate), ctx.termsDays)
  },
  validate: (draft, ctx) => checkSubsidiary(draft, ctx, 'entity'),
  derive(r, ctx) {
    const remaining = invoiceRemaining(ctx.store, r)
    const total = invoiceTotal(r)
    return {
      total,
      amountPaid: round2(total - remaining),
      amountRemaining: remaining,
      status: tranStatus(r, ctx),
    }
  },
  refName: (r) => `Invoice #${String(r.fields.tranId)}`,
}

export const customerPaymentDef: RecordDef = {
  id: 'customerpayment',
  label: 'Payment',
  tranType: 'CustPymt',
  tranIdPrefix: 'PYMT',
  customPrefix: 'custbody_',
  fields: { ...header('customer'), payment: { kind: 'number', required: true } },
  readOnlyFields: [...READ_ONLY, 'applied', 'unapplied'],
  sublists: { apply: applySublist },
  defaults: headerDefaults('customer', 'PYMT'),
  validate(draft, ctx, existing) {
    const payment = Number(draft.fields.payment)
    if (!(payment > 0))
      throw new NetsuiteError(400, 'USER_ERROR', 'The payment amount must be greater than zero.', {
        'o:errorPath': 'payment',
      })
    checkSubsidiary(draft, ctx, 'customer')
    checkApply(draft, ctx, existing, 'customer', payment)
  },
  afterWrite: touchApplied,
  derive: (r) => ({
    total: Number(r.fields.payment),
    applied: appliedTotal(r),
    unapplied: unapplied(r),
  }),
  refName: (r) => `Payment #${String(r.fields.tranId)}`,
}

export const creditMemoDef: RecordDef = {
  id: 'creditmemo',
  label: 'Credit Memo',
  tranType: 'CustCred',
  tranIdPrefix: 'CM',
  customPrefix: 'custbody_',
  fields: { ...header('entity'), createdFrom: { kind: 'ref', ref: 'invoice' } },
  readOnlyFields: [...READ_ONLY, 'applied', 'unapplied', 'amountRemaining'],
  sublists: { item: itemSublist, apply: applySublist },
  defaults: headerDefaults('entity', 'CM'),
  validate(draft, ctx, existing) {
    checkSubsidiary(draft, ctx, 'entity')
    checkApply(draft, ctx, existing, 'entity', linesTotal(draft.lines.item))
  },
  afterWrite: touchApplied,
  derive(r, ctx) {
    const left = unapplied(r, ctx.store)
    return {
      total: linesTotal(r.lines.item),
      applied: appliedTotal(r),
      unapplied: left,
      amountRemaining: left,
      status: tranStatus(r, ctx),
    }
  },
  refName: (r) => `Credit Memo #${String(r.fields.tranId)}`,
}
