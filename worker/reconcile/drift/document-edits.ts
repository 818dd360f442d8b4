import type { DocumentRow } from '../../connectors/salesforce/document-rows.ts'
import { integrationUser } from './accounts.ts'
import { documentDiffs, OBJECT_OF, repairDocuments, type DocKind } from './documents.ts'
import { raise, stripeLeft, type RunContext } from './run.ts'

/** Checks one hand-edited invoice or payment row against billing; repairs it through its ledger. */
async function checkRow(ctx: RunContext, kind: DocKind, row: DocumentRow): Promise<void> {
  const accountId = row.accountId ?? undefined
  const doc =
    accountId && row.externalId
      ? await ctx.sources.stripe[kind](row.externalId, accountId)
      : undefined
  if (!accountId || !doc) {
    const f = {
      accountId,
      object: kind,
      id: row.externalId ?? row.id,
      cause: 'orphan_mirror' as const,
      action: 'exception' as const,
      detail: `${row.object} ${row.id} was edited by hand and names no billing ${kind} Concord can read.`,
    }
    ctx.findings.push(f)
    await raise(ctx, f)
    return
  }
  const fields = documentDiffs(kind, doc, row)
  if (fields.length === 0) return
  const f = {
    accountId,
    object: kind,
    id: doc.id,
    cause: 'hand_edit' as const,
    action: ctx.repair ? ('repair_requested' as const) : ('reported' as const),
    fields,
  }
  ctx.findings.push(f)
  if (ctx.repair) await repairDocuments(ctx, accountId, [f])
}

/**
 * The hand-edit sweep of `Billing_Invoice__c` and `Billing_Payment__c`: per object, one query for
 * the rows a person changed since its cursor, each compared with billing's document. Concord's
 * rewrite is by the integration user, so a repaired row is not found again.
 */
export async function sweepDocumentEdits(ctx: RunContext): Promise<void> {
  const userId = await integrationUser(ctx)
  for (const kind of ['invoice', 'payment'] as const) {
    const key = `edits:${OBJECT_OF[kind]}`
    const since = ctx.store.mark(key, Date.now() - ctx.settings.withinMs)
    let newest = since
    let next: string | undefined
    do {
      const page = await ctx.sources.salesforce.documentsEditedSince(
        OBJECT_OF[kind],
        since,
        userId,
        next,
      )
      for (const row of page.rows) {
        if (!stripeLeft(ctx)) {
          ctx.deferred.push(`${OBJECT_OF[kind]} hand edits: Stripe budget reached; next sweep`)
          ctx.store.saveMark(key, newest)
          return
        }
        ctx.checked.editedRows++
        await checkRow(ctx, kind, row)
        newest = Math.max(newest, Date.parse(row.systemModstamp) || newest)
      }
      next = page.next
    } while (next)
    ctx.store.saveMark(key, newest)
  }
}
