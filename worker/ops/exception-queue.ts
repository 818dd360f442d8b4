import type { Catalog } from '../../shared/index.ts'
import type { ExceptionEntry } from '../ledger/journal.ts'
import type { QuarantineEntry } from './ops-registry.ts'
import { amendmentItem, quarantineItem, unmatchedWebhookItem } from './work-items.ts'
import { WorkQueue, type WorkItem, type WorkKind } from './work-queue.ts'

/**
 * Keeps the work queue (`work-queue.ts`) in step with what the OpsRegistry learns: the ledgers'
 * exception entries, the quarantine, unrouted webhooks; and takes items out when their cause
 * is cleared (an amendment moved on, a quarantined event later accepted, a customer linked).
 */
export class ExceptionQueue {
  readonly queue: WorkQueue
  private readonly catalog: () => Catalog

  constructor(sql: SqlStorage, catalog: () => Catalog) {
    this.queue = new WorkQueue(sql)
    this.catalog = catalog
  }

  /** The ledgers' entries, as the exception index stored them (the newest per amendment). */
  amendmentsChanged(stored: ExceptionEntry[]): void {
    for (const e of stored) {
      const item = amendmentItem(e, this.catalog())
      if (item) this.queue.put([item])
      else {
        this.queue.remove(`amendment:${e.amendmentId}`)
        // Drift findings, money actions and activations are filed under their own id (`work-items.ts`).
        this.queue.remove(e.amendmentId)
      }
    }
  }

  quarantined(entries: QuarantineEntry[]): void {
    this.queue.put(entries.map(quarantineItem))
  }

  /** An event accepted after all: its earlier quarantined copies are resolved. */
  accepted(amendmentIds: string[]): void {
    for (const id of amendmentIds)
      for (const item of this.queue.idsByKey('quarantine', id)) this.queue.remove(item)
  }

  unrouted(e: Parameters<typeof unmatchedWebhookItem>[0]): void {
    this.queue.put([unmatchedWebhookItem(e)])
  }

  /** The customer is linked to an account now: its unmatched events can be routed again. */
  customerLinked(billingCustomerId: string): void {
    for (const item of this.queue.idsByKey('unmatched_webhook', billingCustomerId))
      this.queue.remove(item)
  }

  /** A singleton (OrgWriter, subscriber, alert desk) reporting its full current set. */
  report(kind: WorkKind, items: WorkItem[]): void {
    this.queue.replaceKind(kind, items)
  }
}
