import { AccountId } from '../../../shared/index.ts'
import { chunk } from '../../lib/chunk.ts'
import { toMinor } from './amounts.ts'
import { parseWatermark, readChanges, type Change } from './ar-feed.ts'
import type { NetsuiteClient } from './client.ts'
import { MAX_PAGE, sq, suiteql, suiteqlAll, type SuiteqlRow } from './suiteql.ts'

/** An invoice with money still owed on it, amounts in minor units of its currency. */
export interface ErpOpenInvoice {
  id: string
  tranId?: string
  /** The invoice's external id (a billing invoice id when the invoice came from billing). */
  externalId?: string
  currency: string
  total: number
  amountPaid: number
  amountUnpaid: number
  tranDate?: string
  dueDate?: string
  /** NetSuite's status text, e.g. `Open`. */
  status: string
  /** `YYYY-MM-DD HH:MM:SS` in the account's time zone. */
  lastModified: string
}

/** A customer payment that changed since the watermark. */
export interface ErpPayment {
  id: string
  tranId?: string
  date?: string
  currency: string
  amount: number
  /** The part applied to invoices. */
  applied: number
  lastModified: string
}

/**
 * One customer's AR as the ERP sees it now. `openInvoices` is the complete open set (replace,
 * don't merge: an invoice missing from it is closed); `payments` are those changed since the
 * watermark. Amounts stay per currency.
 */
export interface ErpCustomerAr {
  /** The Salesforce Account id (the customer's external id), 18 characters. */
  accountId: string
  erpCustomerId: string
  name?: string
  currency?: string
  /** On hold now: the Hold field is On, or Auto and over the credit limit. */
  creditHold: boolean
  creditHoldOverride?: string
  openInvoices: ErpOpenInvoice[]
  payments: ErpPayment[]
}

export interface ArDelta {
  customers: ErpCustomerAr[]
  /** Store it and pass it to the next read: everything changed before it has been reported. */
  watermark: string
  /** True when this read stopped early: read again at once with the new watermark. */
  hasMore: boolean
  /** Changed customers left out: their external id is not a Salesforce Account id. */
  skipped: number
}

export interface ReadArOptions {
  /** Change rows per feed per read before stopping at a second boundary. Default 5000. */
  maxRows?: number
  /** Rows per SuiteQL page of the change feeds (at most 1000, the default). */
  pageSize?: number
  /** Customers per snapshot query (`IN` list). Default 200. */
  batchSize?: number
  /**
   * Changes younger than this are left for the next read, so that saves still committing (and
   * the second still running) are never half read. Default 30.
   */
  lagSeconds?: number
}

const ids = (values: string[]) => sq.list(values.map((v) => sq.int(Number(v))))

/**
 * Reads AR changed since `watermark` (all of it when undefined) up to a settled moment (see
 * `lagSeconds`): the customers whose invoices, payments, credit memos or customer record
 * changed, each with its open invoices, changed payments and credit hold, and the watermark to
 * read from next time. A customer may be reported again by a later read; its newest report wins.
 * @throws ConnectorError (business `invalid_watermark` for a watermark not written here)
 */
export async function readArSince(
  client: NetsuiteClient,
  watermark: string | undefined,
  opts: ReadArOptions = {},
): Promise<ArDelta> {
  const since = parseWatermark(watermark)
  const { changes, next, more } = await readChanges(client, since, {
    maxRows: opts.maxRows ?? 5000,
    pageSize: opts.pageSize ?? MAX_PAGE,
    lagSeconds: Math.max(0, Math.floor(opts.lagSeconds ?? 30)),
  })
  const customerIds = [...new Set(changes.map((c) => c.customerId))].filter((id) =>
    /^\d+$/.test(id),
  )
  const paymentIds = changes.filter((c) => c.kind === 'payment').map((c) => c.id)
  const byId = new Map<string, ErpCustomerAr>()
  for (const batch of chunk(customerIds, opts.batchSize ?? 200)) {
    for (const row of await customerRows(client, batch)) {
      const customer = toCustomer(row)
      if (customer) byId.set(customer.erpCustomerId, customer)
    }
    for (const row of await openInvoiceRows(client, batch)) {
      const customer = byId.get(row.entity ?? '')
      const invoice = customer && toInvoice(row, customer.currency)
      if (invoice) customer.openInvoices.push(invoice)
    }
  }
  for (const batch of chunk(paymentIds, opts.batchSize ?? 200)) {
    for (const row of await paymentRows(client, batch)) {
      const customer = byId.get(row.entity ?? '')
      const payment = customer && toPayment(row, customer.currency)
      if (payment) customer.payments.push(payment)
    }
  }
  return {
    customers: orderOfChanges(changes, byId),
    watermark: next,
    hasMore: more,
    skipped: customerIds.length - byId.size,
  }
}

function orderOfChanges(changes: Change[], byId: Map<string, ErpCustomerAr>): ErpCustomerAr[] {
  const out: ErpCustomerAr[] = []
  const done = new Set<string>()
  for (const c of changes) {
    const customer = byId.get(c.customerId)
    if (customer && !done.has(c.customerId)) out.push(customer)
    done.add(c.customerId)
  }
  return out
}

function customerRows(client: NetsuiteClient, batch: string[]): Promise<SuiteqlRow[]> {
  return suiteqlAll(
    client,
    suiteql`SELECT c.id, c.externalid, c.companyname, c.creditholdoverride, c.oncredithold, cur.symbol AS currency
      FROM customer c LEFT JOIN currency cur ON cur.id = c.currency
      WHERE c.id IN ${ids(batch)}`,
  )
}

function openInvoiceRows(client: NetsuiteClient, batch: string[]): Promise<SuiteqlRow[]> {
  return suiteqlAll(
    client,
    suiteql`SELECT t.id, t.entity, t.tranid, t.externalid, t.foreigntotal, t.foreignamountpaid, t.foreignamountunpaid,
        cur.symbol AS currency, TO_CHAR(t.trandate, 'YYYY-MM-DD') AS trandate, TO_CHAR(t.duedate, 'YYYY-MM-DD') AS duedate,
        BUILTIN.DF(t.status) AS status, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified
      FROM transaction t LEFT JOIN currency cur ON cur.id = t.currency
      WHERE t.type = 'CustInvc' AND t.entity IN ${ids(batch)} AND t.foreignamountunpaid > 0 AND t.posting = 'T' AND t.voided = 'F'
      ORDER BY t.entity, t.duedate, t.id`,
  )
}

function paymentRows(client: NetsuiteClient, batch: string[]): Promise<SuiteqlRow[]> {
  return suiteqlAll(
    client,
    suiteql`SELECT t.id, t.entity, t.tranid, TO_CHAR(t.trandate, 'YYYY-MM-DD') AS trandate, t.foreigntotal, t.foreignpaymentamountused,
        cur.symbol AS currency, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified
      FROM transaction t LEFT JOIN currency cur ON cur.id = t.currency
      WHERE t.type = 'CustPymt' AND t.id IN ${ids(batch)}
      ORDER BY t.trandate, t.id`,
  )
}

function toCustomer(row: SuiteqlRow): ErpCustomerAr | undefined {
  const account = AccountId.safeParse(row.externalid)
  if (!account.success || !row.id) return undefined
  const override = row.creditholdoverride?.toUpperCase()
  return {
    accountId: account.data,
    erpCustomerId: row.id,
    name: row.companyname,
    currency: row.currency?.toUpperCase(),
    creditHold: row.oncredithold === 'T' || override === 'ON',
    creditHoldOverride: override,
    openInvoices: [],
    payments: [],
  }
}

function toInvoice(
  row: SuiteqlRow,
  fallbackCurrency: string | undefined,
): ErpOpenInvoice | undefined {
  const currency = row.currency?.toUpperCase() ?? fallbackCurrency
  const unpaid = currency ? toMinor(row.foreignamountunpaid, currency) : undefined
  if (!row.id || !currency || unpaid === undefined) return undefined
  return {
    id: row.id,
    tranId: row.tranid,
    externalId: row.externalid,
    currency,
    total: toMinor(row.foreigntotal, currency) ?? 0,
    amountPaid: toMinor(row.foreignamountpaid, currency) ?? 0,
    amountUnpaid: unpaid,
    tranDate: row.trandate,
    dueDate: row.duedate,
    status: (row.status ?? '').replace(/^Invoice\s*:\s*/i, '') || 'Open',
    lastModified: row.modified ?? '',
  }
}

function toPayment(row: SuiteqlRow, fallbackCurrency: string | undefined): ErpPayment | undefined {
  const currency = row.currency?.toUpperCase() ?? fallbackCurrency
  const amount = currency ? toMinor(row.foreigntotal, currency) : undefined
  if (!row.id || !currency || amount === undefined) return undefined
  return {
    id: row.id,
    tranId: row.tranid,
    date: row.trandate,
    currency,
    amount,
    applied: toMinor(row.foreignpaymentamountused, currency) ?? 0,
    lastModified: row.modified ?? '',
  }
}
