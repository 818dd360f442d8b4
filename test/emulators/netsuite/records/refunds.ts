import { NetsuiteError } from '../errors.ts'
import type { NsRecord } from '../store.ts'
import { appliedTotal, unapplied } from './ar.ts'
import { refId, type Draft, type RecordContext, type RecordDef } from './model.ts'
import { checkSubsidiary, header, headerDefaults, READ_ONLY } from './transactions.ts'

/**
 * A customer refund pays money back out of the customer's credits: its `apply` sublist names
 * the credit memos it draws on (record id `customerRefund`, "the apply sublist of the
 * CustomerRefundApplyLine subrecord":
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0830082954.html).
 * Simplified: only credit memos are refunded (no payments or deposits), and the total is what
 * the lines apply.
 */
function checkRefundApply(draft: Draft, ctx: RecordContext, existing: NsRecord | undefined): void {
  const customerId = refId(draft.fields.customer)
  const lines = (draft.lines.apply ?? []).filter((l) => l.apply !== false)
  if (lines.length === 0)
    throw new NetsuiteError(
      400,
      'USER_ERROR',
      'You must apply the refund to at least one credit.',
      {
        'o:errorPath': 'apply',
      },
    )
  for (const [i, line] of lines.entries()) {
    const path = `apply.items[${i}]`
    const memo = ctx.store.get('creditmemo', refId(line.doc) ?? -1)!
    if (refId(memo.fields.entity) !== customerId)
      throw new NetsuiteError(400, 'INVALID_KEY_OR_REF', `Invalid doc reference key ${memo.id}.`, {
        'o:errorPath': `${path}.doc`,
      })
    const left = unapplied(memo, ctx.store, existing)
    const amount = Number(line.amount ?? left)
    line.amount = amount
    if (!(amount > 0) || amount > left + 1e-9)
      throw new NetsuiteError(
        400,
        'USER_ERROR',
        `The amount refunded from credit memo ${String(memo.fields.tranId)} exceeds its amount remaining (${left}).`,
        { 'o:errorPath': `${path}.amount` },
      )
  }
}

export const customerRefundDef: RecordDef = {
  id: 'customerRefund',
  label: 'Customer Refund',
  tranType: 'CustRfnd',
  tranIdPrefix: 'RFND',
  customPrefix: 'custbody_',
  fields: header('customer'),
  readOnlyFields: [...READ_ONLY, 'applied'],
  sublists: {
    apply: {
      key: 'doc',
      fields: {
        doc: { kind: 'ref', ref: 'creditmemo', required: true },
        apply: { kind: 'boolean' },
        amount: { kind: 'number' },
      },
    },
  },
  defaults: headerDefaults('customer', 'RFND'),
  validate(draft, ctx, existing) {
    checkSubsidiary(draft, ctx, 'customer')
    checkRefundApply(draft, ctx, existing)
  },
  afterWrite(record, before, ctx) {
    for (const l of [...(before?.lines.apply ?? []), ...(record.lines.apply ?? [])]) {
      const memo = ctx.store.get('creditmemo', refId(l.doc) ?? -1)
      if (memo) ctx.store.touch(memo)
    }
  },
  derive: (r) => ({ total: appliedTotal(r), applied: appliedTotal(r) }),
  refName: (r) => `Customer Refund #${String(r.fields.tranId)}`,
}
