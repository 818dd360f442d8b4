import type { RecordSink } from '../writer/types.ts'
import type { Config } from '../config/types.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import { ConnectorError } from '../failure/errors.ts'
import { decide, toFailure } from '../failure/policy.ts'
import type { BillingReader } from '../connectors/types.ts'
import type { DueRefresh, FinanceBook } from './finance-book.ts'
import type { SubscriptionMirrors } from './subscription-mirror.ts'

const REFRESHES_PER_RUN = 50

/** What re-reads work on: the account's documents, its subscription mirrors, billing's reads. */
export interface RefreshTargets {
  book: FinanceBook
  mirrors: SubscriptionMirrors
  reader: BillingReader
  accountId: string
}

/**
 * Re-reads one object and merges it; true when that changed a document the standing is
 * computed from. `readAt` is taken before the read: a later read never loses to an earlier one.
 */
async function refreshOne(due: DueRefresh, t: RefreshTargets, read: Set<string>): Promise<boolean> {
  const { book, reader, accountId } = t
  const readAt = Date.now()
  if (due.kind === 'subscription') {
    const sub = await reader.subscription(due.object_id)
    // Changed since billing's last answer (edited elsewhere, renewed): the next amendment reads.
    if (sub && t.mirrors.applyRead(sub)) t.mirrors.forgetAnswer(sub.id)
    return false
  }
  if (due.kind === 'invoice') {
    let changed = book.merge('invoice', await reader.invoice(due.object_id, accountId), readAt)
    for (const payment of await reader.paymentsOfInvoice(due.object_id, accountId)) {
      changed = book.merge('payment', payment, readAt) || changed
      read.add(payment.id)
    }
    return changed
  }
  if (due.kind === 'payment') {
    const payment = await reader.payment(due.object_id, accountId)
    // The invoice goes first so the payment's lookup to it resolves in Salesforce.
    if (payment.invoiceId && !book.get('invoice', payment.invoiceId))
      book.requestRefresh('invoice', payment.invoiceId)
    return book.merge('payment', payment, readAt)
  }
  const note = await reader.creditNote(due.object_id, accountId)
  if (note.invoiceId) book.requestRefresh('invoice', note.invoiceId)
  return book.merge('credit_note', note, readAt)
}

const READ_ORDER: Record<DueRefresh['kind'], number> = {
  invoice: 0,
  credit_note: 1,
  payment: 2,
  subscription: 3,
}

/** Invoices first: their read brings their payments, so the payments' own reads can be spared. */
const inReadOrder = (due: DueRefresh[]) =>
  [...due].sort((a, b) => READ_ORDER[a.kind] - READ_ORDER[b.kind])

/**
 * Re-reads the objects webhooks (and the saga) pointed at — billing's current state, not an
 * event's payload: events arrive late, twice and out of order — and merges them order-proof.
 * Several requests for one object before its read cost one read. Returns whether a document
 * the standing depends on changed.
 */
export async function runRefreshes(
  targets: RefreshTargets,
  config: Config,
  log: Logger,
): Promise<{ changed: boolean }> {
  const { book } = targets
  let changed = false
  // Payments an invoice's read brought back in this run. Every request taken here was made before
  // that read began, so such a payment's own request is answered: it costs no second read.
  const read = new Set<string>()
  for (const due of inReadOrder(book.dueRefreshes(Date.now(), REFRESHES_PER_RUN))) {
    try {
      if (due.kind !== 'payment' || !read.has(due.object_id))
        changed = (await refreshOne(due, targets, read)) || changed
      book.refreshDone(due)
    } catch (err) {
      if (!(err instanceof ConnectorError))
        log.error('refresh failed', { kind: due.kind, id: due.object_id, ...errorFields(err) })
      const decision = decide(toFailure(err), {
        attempt: due.attempts + 1,
        baseMs: config.retryBaseMs,
        capMs: config.retryCapMs,
        refused: 'dead_letter',
      })
      if (decision.action === 'retry') {
        const message = err instanceof Error ? err.message : String(err)
        book.refreshLater(due.kind, due.object_id, decision.at, message)
        continue
      }
      log.warn('billing refused the read; kept for the work queue', {
        kind: due.kind,
        id: due.object_id,
        code: decision.code,
      })
      book.refreshRefused(due, decision.code, decision.message)
    }
  }
  return { changed }
}

/** Sends the book's queued Salesforce records to the org's writer. */
export async function flushToWriter(
  book: FinanceBook,
  writer: RecordSink,
  log: Logger,
): Promise<number | undefined> {
  try {
    await book.flushRecords((records) => writer.enqueue(records))
  } catch (err) {
    log.warn('handing records to the OrgWriter failed; will retry', errorFields(err))
    return Date.now() + 5_000
  }
  return book.pendingRecords() > 0 ? Date.now() : undefined
}
