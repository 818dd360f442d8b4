import { NetsuiteError } from '../errors.ts'
import type { Line, NsRecord, RecordStore } from '../store.ts'
import { refId, type RecordDef } from './model.ts'
import { asText } from '../../common/text.ts'

/**
 * SuiteBilling, minimal. Real subscriptions carry a billing account, plan, price book and terms;
 * here a subscription is a customer plus `subscriptionLine` lines (item, quantity), and its state
 * is whatever its change orders make it: each change order takes effect on its `effectiveDate`
 * (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/subsect_1547761140.html), so
 * status and quantities are derived on read from the change orders already in effect. The change
 * order shape (`action`, `subscription`, `subline.items[{sequence, apply, ...}]`) follows Oracle's
 * REST sample (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_160858392918.html);
 * `quantityNew` is this emulator's name for the new quantity on a MODIFY_PRICING line.
 */

const ACTIONS = {
  ACTIVATE: 'Activate',
  MODIFY_PRICING: 'Modify Pricing',
  SUSPEND: 'Suspend',
  REACTIVATE: 'Reactivate',
  TERMINATE: 'Terminate',
  RENEW: 'Renew',
}

const STATUS_AFTER: Record<string, string | undefined> = {
  ACTIVATE: 'ACTIVE',
  REACTIVATE: 'ACTIVE',
  RENEW: 'ACTIVE',
  SUSPEND: 'SUSPENDED',
  TERMINATE: 'TERMINATED',
}

export interface SubscriptionState {
  status: string
  lines: Line[]
}

function changeOrdersOf(store: RecordStore, subscriptionId: number): NsRecord[] {
  return store
    .all('subscriptionChangeOrder')
    .filter((co) => refId(co.fields.subscription) === subscriptionId)
    .sort(
      (a, b) =>
        String(a.fields.effectiveDate).localeCompare(String(b.fields.effectiveDate)) || a.id - b.id,
    )
}

/** Sequences a change order touches; none listed means the whole subscription. */
function touchedSequences(co: { lines: Record<string, Line[]> }): number[] {
  return (co.lines.subline ?? []).filter((l) => l.apply !== false).map((l) => Number(l.sequence))
}

/** The subscription as of `today`: change orders with a later effective date are pending. */
export function subscriptionState(
  store: RecordStore,
  sub: NsRecord,
  today: string,
): SubscriptionState {
  let status = 'PENDING_ACTIVATION'
  const lines: Line[] = (sub.lines.subscriptionLine ?? []).map((l) => ({
    ...l,
    status: 'PENDING_ACTIVATION',
  }))
  for (const co of changeOrdersOf(store, sub.id)) {
    if (String(co.fields.effectiveDate) > today) continue
    const action = String(co.fields.action)
    const seqs = touchedSequences(co)
    const hit = (l: Line) => seqs.length === 0 || seqs.includes(Number(l.sequence))
    const after = STATUS_AFTER[action]
    if (after) {
      status = after
      for (const l of lines) if (hit(l)) l.status = after
    }
    if (action === 'MODIFY_PRICING') {
      for (const change of co.lines.subline ?? []) {
        const line = lines.find((l) => Number(l.sequence) === Number(change.sequence))
        if (line && change.apply !== false && typeof change.quantityNew === 'number')
          line.quantity = change.quantityNew
      }
    }
  }
  return { status, lines }
}

export const subscriptionDef: RecordDef = {
  id: 'subscription',
  label: 'Subscription',
  customPrefix: 'custrecord_',
  fields: {
    name: { kind: 'string' },
    customer: { kind: 'ref', ref: 'customer', required: true },
    subsidiary: { kind: 'ref', ref: 'subsidiary' },
    currency: { kind: 'ref', ref: 'currency' },
    startDate: { kind: 'date' },
    endDate: { kind: 'date' },
    memo: { kind: 'string' },
  },
  readOnlyFields: ['status', 'createdDate', 'lastModifiedDate'],
  sublists: {
    subscriptionLine: {
      key: 'sequence',
      generatedKey: true,
      required: true,
      fields: {
        sequence: { kind: 'number' },
        item: { kind: 'ref', ref: 'item', required: true },
        quantity: { kind: 'number' },
      },
    },
  },
  defaults(draft, ctx) {
    const f = draft.fields
    f.startDate ??= ctx.clock.today()
    const customer = ctx.store.get('customer', refId(f.customer) ?? -1)
    f.subsidiary ??= customer?.fields.subsidiary
    f.currency ??= customer?.fields.currency
    for (const line of draft.lines.subscriptionLine ?? []) line.quantity ??= 1
  },
  derive(r, ctx) {
    const { status } = subscriptionState(ctx.store, r, ctx.clock.today())
    return { status: { id: status, refName: status } }
  },
  deriveLines: (r, ctx) => ({
    subscriptionLine: subscriptionState(ctx.store, r, ctx.clock.today()).lines,
  }),
  refName: (r) => asText(r.fields.name ?? `Subscription ${r.id}`),
}

export const changeOrderDef: RecordDef = {
  id: 'subscriptionChangeOrder',
  label: 'Change Order',
  customPrefix: 'custrecord_',
  fields: {
    action: { kind: 'enum', values: ACTIONS, required: true },
    subscription: { kind: 'ref', ref: 'subscription', required: true },
    customer: { kind: 'ref', ref: 'customer' },
    effectiveDate: { kind: 'date' },
    memo: { kind: 'string' },
  },
  readOnlyFields: ['createdDate', 'lastModifiedDate'],
  sublists: {
    subline: {
      key: 'sequence',
      fields: {
        sequence: { kind: 'number', required: true },
        apply: { kind: 'boolean' },
        quantityNew: { kind: 'number' },
        pricePlanNew: { kind: 'number' },
      },
    },
  },
  defaults(draft, ctx) {
    draft.fields.effectiveDate ??= ctx.clock.today()
    const sub = ctx.store.get('subscription', refId(draft.fields.subscription) ?? -1)
    draft.fields.customer ??= sub?.fields.customer
  },
  validate(draft, ctx, existing) {
    const f = draft.fields
    const sub = ctx.store.get('subscription', refId(f.subscription) ?? -1)!
    if (refId(f.customer) !== refId(sub.fields.customer)) {
      throw new NetsuiteError(
        400,
        'INVALID_KEY_OR_REF',
        `Invalid customer reference key ${String(refId(f.customer))}.`,
        { 'o:errorPath': 'customer' },
      )
    }
    const known = new Set((sub.lines.subscriptionLine ?? []).map((l) => Number(l.sequence)))
    for (const [i, l] of (draft.lines.subline ?? []).entries()) {
      if (!known.has(Number(l.sequence))) {
        throw new NetsuiteError(
          400,
          'USER_ERROR',
          `Subscription line ${String(l.sequence)} does not exist.`,
          { 'o:errorPath': `subline.items[${i}].sequence` },
        )
      }
    }
    const mine = touchedSequences(draft)
    if (f.action === 'MODIFY_PRICING' && mine.length === 0) {
      throw new NetsuiteError(
        400,
        'USER_ERROR',
        'Select at least one subscription line to modify.',
        { 'o:errorPath': 'subline' },
      )
    }
    for (const other of changeOrdersOf(ctx.store, sub.id)) {
      if (
        other === existing ||
        other.fields.action !== f.action ||
        other.fields.effectiveDate !== f.effectiveDate
      )
        continue
      const theirs = touchedSequences(other)
      const overlap =
        mine.length === 0 || theirs.length === 0 || mine.some((s) => theirs.includes(s))
      if (overlap) {
        throw new NetsuiteError(
          400,
          'USER_ERROR',
          'You can have only one change order of a specific type per subscription line item per date.',
        )
      }
    }
  },
  refName: (r) => `Change Order #${r.id}`,
}
