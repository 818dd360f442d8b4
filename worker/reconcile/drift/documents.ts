import type { Invoice, Payment } from '../../../shared/index.ts'
import {
  DOCUMENT_FIELDS,
  type DocumentObject,
  type DocumentRow,
} from '../../connectors/salesforce/document-rows.ts'
import type { HeldDocument } from '../../ledger/finance-book.ts'
import { invoiceRecord, paymentRecord } from '../../writer/records/index.ts'
import { stripeLeft, type RunContext } from './run.ts'
import type { DriftCause, DriftFinding, FieldDiff } from './types.ts'

export type DocKind = 'invoice' | 'payment'

export const OBJECT_OF: Record<DocKind, DocumentObject> = {
  invoice: 'Billing_Invoice__c',
  payment: 'Billing_Payment__c',
}

type Value = string | number | null

const same = (a: Value | undefined, b: Value | undefined) =>
  typeof a === 'number' && typeof b === 'number'
    ? Math.abs(a - b) < 0.000_5
    : (a ?? null) === (b ?? null)

/**
 * Where a document's Salesforce record differs from billing, field by field: the record billing's
 * document builds (the OrgWriter's own builder, so the compare and the write agree) against the
 * row Salesforce holds.
 */
export function documentDiffs(kind: DocKind, doc: Invoice | Payment, row: DocumentRow) {
  const want = (kind === 'invoice' ? invoiceRecord(doc as Invoice) : paymentRecord(doc as Payment))
    .fields as Record<string, Value>
  return DOCUMENT_FIELDS[OBJECT_OF[kind]]
    .filter((f) => !same(want[f], row.fields[f]))
    .map((f): FieldDiff => ({
      field: f,
      salesforce: row.fields[f] ?? null,
      billing: want[f] ?? null,
    }))
}

/**
 * Why a record differs: a person edited it; or the ledger never heard of billing's latest
 * (a webhook lost); or the ledger knew and its write never landed (stale).
 */
function causeOf(
  doc: Invoice | Payment,
  row: DocumentRow | undefined,
  held: HeldDocument | undefined,
  userId: string,
): DriftCause {
  if (row && row.lastModifiedById !== userId) return 'hand_edit'
  const behind =
    !held ||
    held.status !== doc.status ||
    Date.parse(held.sourceUpdatedAt) < Date.parse(doc.sourceUpdatedAt)
  return behind ? 'lost_webhook' : 'stale_mirror'
}

/**
 * The invoice and payment rows of these accounts: one query per object and 200 accounts (every
 * page), read once for a page of the full pass, so an account costs no Salesforce call of its own.
 */
export async function documentRowsOf(
  ctx: RunContext,
  accountIds: string[],
): Promise<DocumentRow[]> {
  const rows: DocumentRow[] = []
  for (const object of Object.values(OBJECT_OF))
    for (let i = 0; i < accountIds.length; i += 200) {
      let next: string | undefined
      do {
        const page = await ctx.sources.salesforce.documents(
          object,
          accountIds.slice(i, i + 200),
          next,
        )
        rows.push(...page.rows)
        next = page.next
      } while (next)
    }
  return rows
}

/** One kind's documents compared with their rows; the findings, not yet acted on. */
async function compareKind(
  ctx: RunContext,
  accountId: string,
  kind: DocKind,
  docs: Array<Invoice | Payment>,
  seen: { userId: string; rows: DocumentRow[] },
): Promise<DriftFinding[]> {
  if (docs.length === 0) return []
  const ids = docs.map((d) => d.id)
  const { userId } = seen
  const rows = seen.rows.filter((r) => r.object === OBJECT_OF[kind])
  const held = await ctx.targets.ledger(accountId).heldDocuments(kind, ids)
  ctx.ledgerCalls++
  const found: DriftFinding[] = []
  for (const doc of docs) {
    const row = rows.find((r) => r.externalId === doc.id)
    const fields = row ? documentDiffs(kind, doc, row) : undefined
    if (row && fields?.length === 0) continue
    found.push({
      accountId,
      object: kind,
      id: doc.id,
      cause: causeOf(doc, row, held[doc.id], userId),
      action: ctx.repair ? 'repair_requested' : 'reported',
      fields,
      detail: row ? undefined : `no ${OBJECT_OF[kind]} holds it`,
    })
  }
  return found
}

/**
 * Hands repairable document findings to the account's ledger in one call: it queues each record
 * again and re-reads the document, so the OrgWriter writes it once. A document a lost event of
 * this run already has re-read is left to that read, unless a person edited its record.
 */
export async function repairDocuments(
  ctx: RunContext,
  accountId: string,
  found: DriftFinding[],
): Promise<void> {
  const refs: Array<{ kind: DocKind; id: string }> = []
  for (const f of found) {
    if (f.action !== 'repair_requested' || (f.object !== 'invoice' && f.object !== 'payment'))
      continue
    if (f.cause !== 'hand_edit' && ctx.refreshing.has(f.id)) {
      f.detail = 'repaired by the re-read of the lost event found in this run'
      continue
    }
    refs.push({ kind: f.object, id: f.id })
    ctx.refreshing.add(f.id)
  }
  if (refs.length === 0) return
  await ctx.targets.ledger(accountId).repairDocuments(accountId, refs)
  ctx.ledgerCalls++
}

/**
 * Compares an account's newest invoices and payments in billing (one page of each, within the
 * run's Stripe budget) with their Salesforce records (`rows`, the account's, read with its page),
 * and repairs what differs. Returns the findings, repaired or reported, and the invoices read;
 * false when the budget left no room for it.
 */
export async function compareDocuments(
  ctx: RunContext,
  a: { accountId: string; customerId: string },
  seen: { userId: string; rows: DocumentRow[] },
): Promise<{ found: DriftFinding[]; invoices: Invoice[] } | false> {
  if (!stripeLeft(ctx)) return false
  const limit = ctx.settings.documentsPerAccount
  const invoices = await ctx.sources.stripe.invoicesOf(a.customerId, a.accountId, limit)
  if (!stripeLeft(ctx)) return false
  const payments = await ctx.sources.stripe.paymentsOf(a.customerId, a.accountId, limit)
  ctx.checked.invoices += invoices.length
  ctx.checked.payments += payments.length
  const found = [
    ...(await compareKind(ctx, a.accountId, 'invoice', invoices, seen)),
    ...(await compareKind(ctx, a.accountId, 'payment', payments, seen)),
  ]
  if (ctx.repair) await repairDocuments(ctx, a.accountId, found)
  return { found, invoices }
}
