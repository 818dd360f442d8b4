import { amendmentExternalId } from '../../connectors/netsuite/external-ids.ts'
import type { ErpOrderRow } from '../../connectors/netsuite/order-rows.ts'
import type { ErpOrderView } from '../../ledger/erp-repair.ts'
import { netsuiteLeft, type RunContext } from './run.ts'
import type { DriftFinding, FieldDiff } from './types.ts'

const round2 = (n: number) => Math.round(n * 100) / 100

/** The order's fields Concord wrote that NetSuite's SuiteQL view shows, against what it holds. */
function orderDiffs(view: ErpOrderView, row: ErpOrderRow): FieldDiff[] {
  const { quantity, rate } = view.line
  if (quantity === undefined || rate === undefined || row.total === undefined) return []
  const want = round2(quantity * rate)
  return Math.abs(want - row.total) < 0.005
    ? []
    : [{ field: 'foreigntotal', concord: want, netsuite: row.total }]
}

/** Every Concord sales order of the customer, a SuiteQL page at a time; undefined past the budget. */
async function ordersOf(ctx: RunContext, customerId: string) {
  const rows: ErpOrderRow[] = []
  const limit = ctx.settings.netsuitePageSize
  for (let offset = 0; ; offset += limit) {
    if (!netsuiteLeft(ctx)) return undefined
    const page = await ctx.sources.netsuite.orders(customerId, limit, offset)
    rows.push(...page.rows)
    if (!page.hasMore) return rows
  }
}

/** A lost ERP step: re-run once through the ledger (or said why not). */
async function lost(ctx: RunContext, accountId: string, view: ErpOrderView, seenAt: number) {
  const id = amendmentExternalId(view.amendmentId)
  const f: DriftFinding = {
    accountId,
    object: 'sales_order',
    id,
    cause: 'lost_erp_step',
    action: ctx.repair ? 'repair_requested' : 'reported',
    detail: `NetSuite has no sales order ${id}, which the ERP step of ${view.subscriptionKey} #${view.sequence} made (${view.erpRef}).`,
  }
  if (!ctx.repair) return f
  const answer = await ctx.targets.ledger(accountId).rerunErpOrder(view.amendmentId, seenAt)
  ctx.ledgerCalls++
  if (answer === 'already') {
    f.action = 'reported'
    f.detail = `${f.detail ?? ''} Its re-run is already queued or done.`
  }
  if (answer === 'failed') {
    f.action = 'exception'
    f.detail = `${f.detail ?? ''} Re-running it failed: ${view.rerun?.error ?? 'NetSuite refused it'}.`
  }
  return f
}

/**
 * Compares the ERP orders an account's ledger recorded with NetSuite's (by the external ids
 * Concord writes, SuiteQL pages within the run's NetSuite budget, each through the account's
 * request permits). A missing order is re-run through the ledger; an order whose total differs
 * was edited in NetSuite and is raised, naming the order and the field. Returns the findings and
 * the ERP customer, or false when the budget left no room for a complete read (nothing is
 * concluded from half).
 */
export async function compareErpOrders(
  ctx: RunContext,
  accountId: string,
): Promise<{ found: DriftFinding[]; erpCustomerId?: string } | false> {
  const { erpCustomerId, orders } = await ctx.targets.ledger(accountId).erpOrders()
  ctx.ledgerCalls++
  if (!erpCustomerId || orders.length === 0) return { found: [], erpCustomerId }
  const seenAt = Date.now()
  const rows = await ordersOf(ctx, erpCustomerId)
  if (!rows) return false
  ctx.checked.erpOrders += orders.length
  const byExternalId = new Map(rows.map((r) => [r.externalId, r]))
  const found: DriftFinding[] = []
  for (const view of orders) {
    const row = byExternalId.get(amendmentExternalId(view.amendmentId))
    if (!row) {
      found.push(await lost(ctx, accountId, view, seenAt))
      continue
    }
    const fields = orderDiffs(view, row)
    if (fields.length === 0) continue
    found.push({
      accountId,
      object: 'sales_order',
      id: row.externalId,
      cause: 'erp_edit',
      action: 'exception',
      fields,
      detail: `NetSuite sales order ${row.id} (${row.externalId}, ${view.subscriptionKey} #${view.sequence}) was changed in NetSuite: ${fields.map((d) => `${d.field} is ${String(d.netsuite)}, Concord wrote ${String(d.concord)}`).join('; ')}. Concord does not overwrite it; correct it in NetSuite or amend the subscription in Salesforce.`,
    })
  }
  return { found, erpCustomerId }
}
