import type { RecordSink } from '../writer/types.ts'
import type { Config } from '../config/types.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import { ConnectorError } from '../failure/errors.ts'
import { decide, toFailure } from '../failure/policy.ts'
import type { BillingReader } from '../connectors/types.ts'
import type { FinanceBook } from './finance-book.ts'

const REFRESHES_PER_RUN = 50

/**
 * Re-reads the documents webhooks pointed at (billing's current state, not the event payload:
 * events arrive late, twice and out of order) and merges them order-proof. Returns whether
 * anything changed, and when refreshes are next due.
 */
export async function runRefreshes(
  book: FinanceBook,
  reader: BillingReader,
  accountId: string,
  config: Config,
  log: Logger,
): Promise<{ changed: boolean }> {
  let changed = false
  for (const due of book.dueRefreshes(Date.now(), REFRESHES_PER_RUN)) {
    try {
      if (due.kind === 'invoice') {
        changed = book.merge('invoice', await reader.invoice(due.object_id, accountId)) || changed
        for (const payment of await reader.paymentsOfInvoice(due.object_id, accountId))
          changed = book.merge('payment', payment) || changed
      }
      if (due.kind === 'payment') {
        const payment = await reader.payment(due.object_id, accountId)
        // The invoice goes first so the payment's lookup to it resolves in Salesforce.
        if (payment.invoiceId && !book.get('invoice', payment.invoiceId))
          book.requestRefresh('invoice', payment.invoiceId)
        changed = book.merge('payment', payment) || changed
      }
      if (due.kind === 'credit_note') {
        const note = await reader.creditNote(due.object_id, accountId)
        if (note.invoiceId) book.requestRefresh('invoice', note.invoiceId)
        changed = book.merge('credit_note', note) || changed
      }
      book.refreshDone(due.kind, due.object_id)
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
      log.warn('billing document could not be read; dropped', {
        kind: due.kind,
        id: due.object_id,
        code: decision.code,
      })
      book.refreshDone(due.kind, due.object_id)
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
