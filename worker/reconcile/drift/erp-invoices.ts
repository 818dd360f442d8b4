import type { Invoice } from '../../../shared/index.ts'
import { toMajor } from '../../lib/currency.ts'
import { netsuiteLeft, type RunContext } from './run.ts'
import type { DriftFinding, FieldDiff } from './types.ts'

const differs = (a: number, b: number | undefined) => b === undefined || Math.abs(a - b) >= 0.005

/**
 * Compares an account's newest billing invoices with the NetSuite invoices that carry their ids
 * (one SuiteQL call, within the run's NetSuite budget): the total against the amount due, what is
 * unpaid against what remains. Concord makes no invoices in NetSuite, so one that is missing there
 * is not a finding; one that disagrees is not Concord's to correct and is raised (`erp_mismatch`),
 * naming both invoices and the fields. False when the budget left no room for it.
 */
export async function compareErpInvoices(
  ctx: RunContext,
  accountId: string,
  erpCustomerId: string | undefined,
  invoices: Invoice[],
): Promise<DriftFinding[] | false> {
  if (!erpCustomerId || invoices.length === 0) return []
  if (!netsuiteLeft(ctx)) return false
  const rows = await ctx.sources.netsuite.invoices(
    erpCustomerId,
    invoices.map((i) => i.id),
  )
  ctx.checked.erpInvoices += rows.length
  const found: DriftFinding[] = []
  for (const row of rows) {
    const inv = invoices.find((i) => i.id === row.externalId)
    if (!inv) continue
    const due = toMajor(inv.amountDue, inv.currency)
    const remaining = toMajor(inv.amountRemaining, inv.currency)
    const fields: FieldDiff[] = [
      ...(differs(due, row.total)
        ? [{ field: 'foreigntotal', billing: due, netsuite: row.total ?? null }]
        : []),
      ...(differs(remaining, row.unpaid)
        ? [{ field: 'foreignamountunpaid', billing: remaining, netsuite: row.unpaid ?? null }]
        : []),
    ]
    if (fields.length === 0) continue
    found.push({
      accountId,
      object: 'invoice',
      id: inv.id,
      cause: 'erp_mismatch',
      action: 'exception',
      fields,
      detail: `NetSuite invoice ${row.id} (external id ${inv.id}) disagrees with billing's invoice (${inv.status}): ${fields.map((d) => `${d.field} is ${String(d.netsuite)} in NetSuite, ${String(d.billing)} in billing`).join('; ')}. Concord did not make it and does not change it; correct it in NetSuite or in billing.`,
    })
  }
  return found
}
