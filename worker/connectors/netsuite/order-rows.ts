import type { NetsuiteClient } from './client.ts'
import { sq, suiteql, suiteqlPage } from './suiteql.ts'

/** A sales order Concord recorded, as NetSuite holds it now (SuiteQL's `transaction` view). */
export interface ErpOrderRow {
  id: string
  externalId: string
  /** The billing subscription id the order names. */
  otherRefNum?: string
  /** The order's total in major units, as SuiteQL prints it. */
  total?: number
  lastModified?: string
}

const number = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v))

/**
 * One page of a customer's Concord sales orders (external ids `concord-amd-…`), in id order:
 * one SuiteQL call through the account's request permits.
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158394344595.html
 * @throws ConnectorError as `NetsuiteClient.send` does.
 */
export async function concordOrdersPage(
  client: NetsuiteClient,
  customerId: string,
  limit: number,
  offset: number,
): Promise<{ rows: ErpOrderRow[]; hasMore: boolean }> {
  if (!/^\d+$/.test(customerId)) return { rows: [], hasMore: false }
  const query = suiteql`SELECT id, externalid, otherrefnum, foreigntotal,
      TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified
    FROM transaction
    WHERE type = 'SalesOrd' AND entity = ${sq.int(Number(customerId))} AND externalid LIKE 'concord-amd-%'
    ORDER BY id`
  const page = await suiteqlPage(client, query, limit, offset)
  return {
    rows: page.rows
      .filter((r) => r.id && r.externalid)
      .map((r) => ({
        id: r.id ?? '',
        externalId: r.externalid ?? '',
        otherRefNum: r.otherrefnum,
        total: number(r.foreigntotal),
        lastModified: r.lastmodified,
      })),
    hasMore: page.hasMore,
  }
}

/** A NetSuite invoice that carries a billing invoice id as its external id. */
export interface ErpInvoiceRow {
  id: string
  externalId: string
  /** Total and what is still unpaid, major units. */
  total?: number
  unpaid?: number
}

/**
 * The customer's NetSuite invoices whose external ids are these billing invoice ids (one SuiteQL
 * call; at most 1,000 ids). Concord makes no invoices in NetSuite: these were made by whatever
 * posts billing's invoices there.
 * @throws ConnectorError as `NetsuiteClient.send` does.
 */
export async function invoicesByExternalIds(
  client: NetsuiteClient,
  customerId: string,
  externalIds: readonly string[],
): Promise<ErpInvoiceRow[]> {
  if (!/^\d+$/.test(customerId) || externalIds.length === 0) return []
  const query = suiteql`SELECT id, externalid, foreigntotal, foreignamountunpaid FROM transaction
    WHERE type = 'CustInvc' AND entity = ${sq.int(Number(customerId))}
      AND externalid IN ${sq.list(externalIds.map((id) => sq.str(id)))}`
  const page = await suiteqlPage(client, query, Math.min(externalIds.length, 1000), 0)
  return page.rows
    .filter((r) => r.id && r.externalid)
    .map((r) => ({
      id: r.id ?? '',
      externalId: r.externalid ?? '',
      total: number(r.foreigntotal),
      unpaid: number(r.foreignamountunpaid),
    }))
}
