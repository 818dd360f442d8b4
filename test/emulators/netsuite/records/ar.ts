import type { Line, NsRecord, RecordStore } from '../store.ts'
import { daysBetween, refId, round2 } from './model.ts'

/**
 * Accounts-receivable arithmetic, derived on every read from the transactions themselves (never
 * stored), so an invoice's amount remaining and a customer's balance can't drift from the
 * payments and credits applied to them. Amounts are in the transaction currency; the emulator
 * has no exchange rates, so `balance` simply sums them (one currency per customer in practice).
 */

export function lineAmount(line: Line): number {
  const quantity = typeof line.quantity === 'number' ? line.quantity : 1
  const rate = typeof line.rate === 'number' ? line.rate : 0
  return round2(quantity * rate)
}

export function linesTotal(lines: Line[] | undefined): number {
  return round2((lines ?? []).reduce((sum, line) => sum + lineAmount(line), 0))
}

/** Sum of `apply` lines that are switched on. */
export function appliedTotal(record: NsRecord): number {
  return round2(
    (record.lines.apply ?? [])
      .filter((l) => l.apply !== false)
      .reduce((sum, l) => sum + (Number(l.amount) || 0), 0),
  )
}

/** Payments and credit memos applied to one invoice. */
export function appliedToInvoice(store: RecordStore, invoiceId: number, except?: NsRecord): number {
  let sum = 0
  for (const type of ['customerpayment', 'creditmemo']) {
    for (const doc of store.all(type)) {
      if (doc === except) continue
      for (const l of doc.lines.apply ?? []) {
        if (l.apply !== false && refId(l.doc) === invoiceId) sum += Number(l.amount) || 0
      }
    }
  }
  return round2(sum)
}

export function invoiceTotal(invoice: NsRecord): number {
  return linesTotal(invoice.lines.item)
}

export function invoiceRemaining(store: RecordStore, invoice: NsRecord, except?: NsRecord): number {
  return round2(invoiceTotal(invoice) - appliedToInvoice(store, invoice.id, except))
}

/** Customer refunds paid out of one credit memo. */
export function refundedFrom(store: RecordStore, creditMemoId: number, except?: NsRecord): number {
  let sum = 0
  for (const refund of store.all('customerRefund')) {
    if (refund === except) continue
    for (const l of refund.lines.apply ?? [])
      if (l.apply !== false && refId(l.doc) === creditMemoId) sum += Number(l.amount) || 0
  }
  return round2(sum)
}

/**
 * What a payment or credit memo still has to give: not applied to any invoice and, for a
 * credit memo when `store` is given, not paid out by a customer refund.
 */
export function unapplied(record: NsRecord, store?: RecordStore, except?: NsRecord): number {
  const total =
    record.type === 'customerpayment'
      ? Number(record.fields.payment) || 0
      : linesTotal(record.lines.item)
  const refunded =
    store && record.type === 'creditmemo' ? refundedFrom(store, record.id, except) : 0
  return round2(total - appliedTotal(record) - refunded)
}

export interface CustomerAr {
  balance: number
  overdueBalance: number
  daysOverdue: number
  unbilledOrders: number
}

/** A customer's open balance, the overdue part of it and its oldest days past due. */
export function customerAr(store: RecordStore, customerId: number, today: string): CustomerAr {
  let balance = 0
  let overdueBalance = 0
  let daysOverdue = 0
  for (const inv of store.all('invoice')) {
    if (refId(inv.fields.entity) !== customerId) continue
    const remaining = invoiceRemaining(store, inv)
    balance += remaining
    const due = typeof inv.fields.dueDate === 'string' ? inv.fields.dueDate : undefined
    if (remaining > 0 && due && due < today) {
      overdueBalance += remaining
      daysOverdue = Math.max(daysOverdue, daysBetween(due, today))
    }
  }
  for (const type of ['customerpayment', 'creditmemo']) {
    const field = type === 'customerpayment' ? 'customer' : 'entity'
    for (const doc of store.all(type))
      if (refId(doc.fields[field]) === customerId) balance -= unapplied(doc, store)
  }
  const billed = new Set(store.all('invoice').map((inv) => refId(inv.fields.createdFrom)))
  const unbilledOrders = store
    .all('salesOrder')
    .filter((so) => refId(so.fields.entity) === customerId && !billed.has(so.id))
    .reduce((sum, so) => sum + linesTotal(so.lines.item), 0)
  return {
    balance: round2(balance),
    overdueBalance: round2(overdueBalance),
    daysOverdue,
    unbilledOrders: round2(unbilledOrders),
  }
}
