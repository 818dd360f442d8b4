import type { Amendment, CatalogEntry } from '../../../shared/index.ts'
import type { BillingResult, BillingTax, ErpLine, ErpPlan, StepContext } from '../types.ts'
import { toMajor } from '../../lib/currency.ts'
import type { NetsuiteClient } from './client.ts'
import { amendmentExternalId } from './external-ids.ts'
import { business, getRecord, upsertByExternalId } from './records.ts'
import { sq, suiteql, suiteqlPages } from './suiteql.ts'

/**
 * Why a sales order per amendment, not a SuiteBilling change order:
 * - Stripe bills. A SuiteBilling subscription would make NetSuite bill the same periods again
 *   and needs a plan, price book and billing account mirrored for every price in the catalog.
 * - SuiteBilling allows one change order of a type per subscription line per effective date
 *   (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/subsect_1547761140.html), so
 *   two seat changes on one day could not each be their own document; Concord records every
 *   amendment once, by its own external id.
 * - Sales orders exist in every NetSuite account (SuiteBilling is a licensed module).
 * Each order states the subscription's position after the amendment: item, quantity (0 for a
 * cancel) and unit rate; the Stripe subscription id is its `otherRefNum`, the correlation id and
 * billing ref are in its memo.
 */

export interface OrderInput {
  amendment: Amendment
  customerId: string
  billing: BillingResult
  price?: CatalogEntry
  /** The subscription's previous line as the ledger kept it; read from NetSuite when absent. */
  previous?: ErpLine
}

/**
 * The line of the subscription's latest earlier Concord sales order, for amendments that carry
 * no price key (a quantity change, a cancel) or no quantity (a price change).
 */
async function previousLine(
  client: NetsuiteClient,
  customerId: string,
  subscriptionId: string,
  exclude: string,
): Promise<ErpLine | undefined> {
  if (!subscriptionId || !/^\d+$/.test(customerId)) return undefined
  const query = suiteql`SELECT id FROM transaction
    WHERE type = 'SalesOrd' AND entity = ${sq.int(Number(customerId))} AND otherrefnum = ${sq.str(subscriptionId)}
      AND externalid LIKE 'concord-amd-%' AND externalid <> ${sq.str(exclude)}
    ORDER BY id DESC`
  let orderId: string | undefined
  for await (const rows of suiteqlPages(client, query, 1)) {
    orderId = rows[0]?.id
    break
  }
  if (!orderId) return undefined
  const order = await getRecord(client, 'salesOrder', orderId, true)
  const first = ((order.item as { items?: unknown[] } | undefined)?.items ?? [])[0] as
    Record<string, unknown> | undefined
  const itemId = (first?.item as { id?: unknown } | undefined)?.id
  if (typeof itemId !== 'string' && typeof itemId !== 'number') return undefined
  return {
    itemId: String(itemId),
    quantity: typeof first?.quantity === 'number' ? first.quantity : undefined,
    rate: typeof first?.rate === 'number' ? first.rate : undefined,
  }
}

/**
 * The line an amendment's order holds: its own price and quantity, the rest taken from the
 * subscription's previous line (a seat change keeps the item and rate, a cancel is quantity 0).
 * The drift reconciler rebuilds every order's expected line with it, one amendment after another.
 */
export function orderLine(
  a: Pick<Amendment, 'action' | 'quantity'>,
  price: CatalogEntry | undefined,
  previous: ErpLine | undefined,
): Partial<ErpLine> {
  const itemId = price?.erpItemId ?? previous?.itemId
  const quantity = a.action === 'cancel' ? 0 : (a.quantity ?? previous?.quantity)
  const rate =
    price?.unitAmount !== undefined
      ? toMajor(price.unitAmount, price.currency)
      : price
        ? undefined
        : previous?.rate
  return { itemId, quantity, rate }
}

const dateOf = (iso: string) => new Date(iso).toISOString().slice(0, 10)

function memoOf(a: Amendment, billing: BillingResult, correlationId: string): string {
  const when =
    a.action === 'cancel' && a.cancelMode === 'at_period_end' && billing.currentPeriodEnd
      ? ` at period end ${billing.currentPeriodEnd.slice(0, 10)}`
      : a.effectiveDate
        ? ` effective ${a.effectiveDate}`
        : ''
  const ref = billing.ref ? ` billingRef=${billing.ref}` : ''
  return `Concord ${a.action} ${a.subscriptionKey} #${a.sequence}${when} correlationId=${correlationId}${ref}`.slice(
    0,
    999,
  )
}

/**
 * Records one amendment as a sales order, upserted by an external id derived from the amendment
 * id with `?replace=item`, so a retry rewrites the same single line instead of adding one.
 * @returns `salesOrder:<internal id>`
 * @throws ConnectorError (business when the item cannot be known, or NetSuite refuses the order)
 */
export async function recordAmendment(
  client: NetsuiteClient,
  input: OrderInput,
  ctx: StepContext,
  taxCodes: Record<string, string> = {},
): Promise<{ ref: string; line: ErpLine }> {
  const { amendment: a, customerId, billing, price } = input
  const externalId = amendmentExternalId(a.id)
  const wantsQuantity = a.action !== 'cancel' && a.quantity === undefined
  const previous =
    !price || wantsQuantity
      ? (input.previous ??
        (await previousLine(client, customerId, billing.subscriptionId, externalId)))
      : undefined
  const { itemId, quantity, rate } = orderLine(a, price, previous)
  if (!itemId) {
    throw business(
      'erp_item_unknown',
      `Amendment ${a.subscriptionKey} #${a.sequence} has no price key and NetSuite holds no earlier Concord order of subscription ${billing.subscriptionId || '(none)'} to take the item from.`,
    )
  }
  if (quantity === undefined) {
    throw business(
      'erp_quantity_unknown',
      `Amendment ${a.subscriptionKey} #${a.sequence} has no quantity and NetSuite holds no earlier Concord order to take it from.`,
    )
  }
  const line: Record<string, unknown> = {
    item: { id: itemId },
    quantity,
    description:
      `${a.action.replace(/_/g, ' ')}: ${quantity} × ${price?.productName ?? 'subscription item'}`.slice(
        0,
        999,
      ),
  }
  if (rate !== undefined) line.rate = rate
  const body: Record<string, unknown> = {
    entity: { id: customerId },
    // Derived from the amendment, never "today": a retry next week must write the same order.
    tranDate: a.effectiveDate ?? dateOf(a.createdAt),
    memo: memoOf(a, billing, ctx.correlationId),
    item: { items: [line] },
  }
  if (billing.subscriptionId) body.otherRefNum = billing.subscriptionId
  if (billing.tax) Object.assign(body, taxDetails(billing.tax, taxCodes))
  const replace = billing.tax ? ['item', 'taxDetails'] : ['item']
  const id = await upsertByExternalId(client, 'salesOrder', externalId, body, replace)
  return { ref: `salesOrder:${id}`, line: { itemId, quantity, rate } }
}

/**
 * Billing's tax as SuiteTax tax details the order overrides its own with (NetSuite REST supports
 * no legacy tax): one line per jurisdiction, its tax code from `NETSUITE_TAX_CODES`.
 * @throws ConnectorError business `erp_tax_code_unknown` for a jurisdiction with no code.
 */
function taxDetails(tax: BillingTax, codes: Record<string, string>): Record<string, unknown> {
  const items = tax.lines.map((l) => {
    const zeroRated = l.reason === 'customer_exempt' || l.reason === 'reverse_charge'
    const code = (zeroRated ? codes['exempt'] : undefined) ?? codes[l.jurisdiction] ?? codes['*']
    if (!code)
      throw business(
        'erp_tax_code_unknown',
        `No NetSuite tax code for ${zeroRated ? `${l.reason} in ` : ''}${l.jurisdiction}: add it to NETSUITE_TAX_CODES.`,
      )
    return {
      taxDetailsReference: `${l.jurisdiction} ${l.reason}`.slice(0, 99),
      taxCode: { id: code },
      taxBasis: toMajor(l.basis, tax.currency),
      taxRate: l.rate,
      taxAmount: toMajor(l.amount, tax.currency),
    }
  })
  return { taxDetailsOverride: true, taxDetails: { items } }
}

/**
 * A dry run of `recordAmendment`: the sales order it would upsert, from the amendment and its
 * catalog price alone (no call). What only an earlier order can settle is named in `note`.
 */
export function planOrder(input: {
  amendment: Amendment
  customerId?: string
  price?: CatalogEntry
}): Promise<ErpPlan> {
  const { amendment: a, customerId, price } = input
  const quantity = a.action === 'cancel' ? 0 : a.quantity
  const rate =
    price?.unitAmount === undefined ? undefined : toMajor(price.unitAmount, price.currency)
  const settledLater = [
    ...(price ? [] : ['item and rate']),
    ...(quantity === undefined ? ['quantity'] : []),
  ]
  return Promise.resolve({
    operation: 'upsert',
    record: 'salesOrder',
    externalId: amendmentExternalId(a.id),
    customerId,
    itemId: price?.erpItemId,
    quantity,
    rate,
    note:
      settledLater.length > 0
        ? `${settledLater.join(' and ')} from the subscription's previous Concord order`
        : undefined,
  })
}
