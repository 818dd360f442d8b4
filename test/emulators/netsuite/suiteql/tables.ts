import type { NsRecord } from '../store.ts'
import { TRANSACTION_TYPES } from '../store.ts'
import {
  appliedTotal,
  customerAr,
  invoiceRemaining,
  invoiceTotal,
  linesTotal,
  unapplied,
} from '../records/ar.ts'
import { subscriptionState } from '../records/billing.ts'
import { refId, round2, type RecordContext } from '../records/model.ts'
import { defOf } from '../records/registry.ts'
import { tranStatus } from '../records/transactions.ts'
import type { SqlValue } from './values.ts'

/**
 * The analytics tables SuiteQL reads, as views over the emulator's records. Column names follow
 * NetSuite's analytics data source (lower case): customer balances are `balancesearch`,
 * `overduebalancesearch`, `daysoverduesearch`, `unbilledorderssearch` (there is no plain
 * `balance`); transaction AR amounts are `foreigntotal`, `foreignamountpaid`,
 * `foreignamountunpaid`; `type` is the transaction code (`CustInvc`, `SalesOrd`, `CustPymt`,
 * `CustCred`) and `status` a one-letter code whose text `BUILTIN.DF(status)` gives. Booleans are
 * 'T'/'F'. Custom fields (`custbody_*`, `custentity_*`, `custrecord_*`) read whatever is stored.
 */

export interface Column {
  get(record: NsRecord, ctx: RecordContext): SqlValue
  /** Display text for `BUILTIN.DF(column)`; defaults to the value itself. */
  display?(record: NsRecord, ctx: RecordContext): SqlValue
}

export interface Table {
  name: string
  rows(ctx: RecordContext): NsRecord[]
  columns: Record<string, Column>
  customPrefix?: string
}

const str = (name: string): Column => ({
  get: (r) => (typeof r.fields[name] === 'string' ? r.fields[name] : null),
})
const num = (name: string): Column => ({
  get: (r) => (typeof r.fields[name] === 'number' ? r.fields[name] : null),
})
const bool = (name: string): Column => ({ get: (r) => (r.fields[name] === true ? 'T' : 'F') })
const date = (name: string): Column => ({
  get: (r) => (typeof r.fields[name] === 'string' ? new Date(`${r.fields[name]}T00:00:00Z`) : null),
})
const idOf = (v: unknown): number | null => refId(v) ?? null

/** A reference column: the internal id, displayed as the referenced record's name. */
function ref(name: string, type: string): Column {
  return {
    get: (r) => idOf(r.fields[name]),
    display: (r, ctx) => {
      const target = ctx.store.get(type, refId(r.fields[name]) ?? -1)
      return target ? defOf(type).refName(target) : null
    },
  }
}

const common: Record<string, Column> = {
  id: { get: (r) => r.id },
  externalid: { get: (r) => r.externalId ?? null },
  lastmodifieddate: { get: (r) => new Date(r.lastModifiedAt) },
}

const entityField = (r: NsRecord) =>
  r.type === 'customerpayment' || r.type === 'customerRefund' ? 'customer' : 'entity'

const transaction: Table = {
  name: 'transaction',
  customPrefix: 'custbody_',
  rows: (ctx) =>
    [...TRANSACTION_TYPES].flatMap((t) => ctx.store.all(t)).sort((a, b) => a.id - b.id),
  columns: {
    ...common,
    createddate: { get: (r) => new Date(r.createdAt) },
    tranid: str('tranId'),
    trandate: date('tranDate'),
    duedate: date('dueDate'),
    memo: str('memo'),
    otherrefnum: str('otherRefNum'),
    type: { get: (r) => defOf(r.type).tranType ?? null, display: (r) => defOf(r.type).label },
    status: {
      get: (r, ctx) => tranStatus(r, ctx)?.id ?? null,
      display: (r, ctx) => {
        const s = tranStatus(r, ctx)
        return s ? `${defOf(r.type).label} : ${s.refName}` : null
      },
    },
    entity: {
      get: (r) => idOf(r.fields[entityField(r)]),
      display: (r, ctx) => ref(entityField(r), 'customer').display!(r, ctx),
    },
    currency: ref('currency', 'currency'),
    createdfrom: { get: (r) => idOf(r.fields.createdFrom) },
    posting: { get: (r) => (r.type === 'salesOrder' ? 'F' : 'T') },
    voided: { get: () => 'F' },
    foreigntotal: {
      get: (r) =>
        r.type === 'customerpayment'
          ? Number(r.fields.payment)
          : r.type === 'customerRefund'
            ? appliedTotal(r)
            : linesTotal(r.lines.item),
    },
    foreignamountunpaid: {
      get: (r, ctx) => (r.type === 'invoice' ? invoiceRemaining(ctx.store, r) : null),
    },
    foreignamountpaid: {
      get: (r, ctx) =>
        r.type === 'invoice' ? round2(invoiceTotal(r) - invoiceRemaining(ctx.store, r)) : null,
    },
    foreignpaymentamountused: {
      get: (r) => (r.type === 'customerpayment' ? appliedTotal(r) : null),
    },
    foreignpaymentamountunused: {
      get: (r) => (r.type === 'customerpayment' ? unapplied(r) : null),
    },
    daysoverduesearch: {
      get: (r, ctx) => {
        const due = r.fields.dueDate
        if (r.type !== 'invoice' || typeof due !== 'string' || invoiceRemaining(ctx.store, r) <= 0)
          return null
        const days = Math.round(
          (Date.parse(`${ctx.clock.today()}T00:00:00Z`) - Date.parse(`${due}T00:00:00Z`)) /
            86_400_000,
        )
        return days > 0 ? days : null
      },
    },
  },
}

const customer: Table = {
  name: 'customer',
  customPrefix: 'custentity_',
  rows: (ctx) => ctx.store.all('customer'),
  columns: {
    ...common,
    datecreated: { get: (r) => new Date(r.createdAt) },
    entityid: str('entityId'),
    companyname: str('companyName'),
    firstname: str('firstName'),
    lastname: str('lastName'),
    email: str('email'),
    phone: str('phone'),
    isperson: bool('isPerson'),
    isinactive: bool('isInactive'),
    subsidiary: ref('subsidiary', 'subsidiary'),
    currency: ref('currency', 'currency'),
    creditlimit: num('creditLimit'),
    creditholdoverride: {
      get: (r) =>
        typeof r.fields.creditHoldOverride === 'string' ? r.fields.creditHoldOverride : 'AUTO',
    },
    balancesearch: { get: (r, ctx) => customerAr(ctx.store, r.id, ctx.clock.today()).balance },
    overduebalancesearch: {
      get: (r, ctx) => customerAr(ctx.store, r.id, ctx.clock.today()).overdueBalance,
    },
    daysoverduesearch: {
      get: (r, ctx) => customerAr(ctx.store, r.id, ctx.clock.today()).daysOverdue,
    },
    unbilledorderssearch: {
      get: (r, ctx) => customerAr(ctx.store, r.id, ctx.clock.today()).unbilledOrders,
    },
    /** 'ON' holds, 'OFF' never holds, 'AUTO' holds when the balance passes the credit limit. */
    oncredithold: {
      get: (r, ctx) => {
        const mode = r.fields.creditHoldOverride ?? 'AUTO'
        if (mode !== 'AUTO') return mode === 'ON' ? 'T' : 'F'
        const limit = r.fields.creditLimit
        return typeof limit === 'number' &&
          customerAr(ctx.store, r.id, ctx.clock.today()).balance > limit
          ? 'T'
          : 'F'
      },
    },
  },
}

const simple = (
  name: string,
  type: string,
  prefix: string,
  columns: Record<string, Column>,
): Table => ({
  name,
  customPrefix: prefix,
  rows: (ctx) => ctx.store.all(type),
  columns: { ...common, ...columns },
})

/** Tables by lower-case name. */
export const TABLES: Record<string, Table> = {
  transaction,
  customer,
  item: simple('item', 'item', 'custitem_', {
    itemid: str('itemId'),
    displayname: str('displayName'),
    itemtype: str('itemType'),
    isinactive: bool('isInactive'),
  }),
  subsidiary: simple('subsidiary', 'subsidiary', 'custrecord_', {
    name: str('name'),
    currency: ref('currency', 'currency'),
  }),
  currency: simple('currency', 'currency', 'custrecord_', {
    name: str('name'),
    symbol: str('symbol'),
  }),
  subscription: simple('subscription', 'subscription', 'custrecord_', {
    name: str('name'),
    customer: ref('customer', 'customer'),
    subsidiary: ref('subsidiary', 'subsidiary'),
    currency: ref('currency', 'currency'),
    startdate: date('startDate'),
    enddate: date('endDate'),
    status: { get: (r, ctx) => subscriptionState(ctx.store, r, ctx.clock.today()).status },
  }),
  subscriptionchangeorder: simple(
    'subscriptionchangeorder',
    'subscriptionChangeOrder',
    'custrecord_',
    {
      action: str('action'),
      subscription: ref('subscription', 'subscription'),
      customer: ref('customer', 'customer'),
      effectivedate: date('effectiveDate'),
      memo: str('memo'),
    },
  ),
}
