import {
  amendmentFromEvent,
  describeRawEvent,
  type Amendment,
  type EventResult,
} from '../../shared/index.ts'
import type { Config } from '../config/types.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import type { IndexedAmendment } from '../ops/amendment-index.ts'
import type { QuarantineInput } from '../ops/ops-registry.ts'
import { quarantineRejections, type Rejection } from './quarantine.ts'

/** Where the intake puts what it takes: each account's ledger, and the quarantine. */
export interface IntakePorts {
  ledger(accountId: string): {
    enqueue(
      amendments: Amendment[],
    ): Promise<
      Array<
        | { eventUuid: string; status: 'queued' | 'duplicate' }
        | { eventUuid: string; status: 'rejected'; code: string; message: string }
      >
    >
  }
  quarantine(entries: QuarantineInput[]): Promise<string[]>
  /** Notes which ledger holds each stored amendment, for lookups by correlation id. */
  index(entries: IndexedAmendment[]): Promise<void>
}

type Item = { index: number; amendment: Amendment; raw: unknown }

/** Validates each event: valid ones grouped by account, the others as rejections. */
function sortEvents(
  events: unknown[],
  config: Config,
): { byAccount: Map<string, Item[]>; rejections: Rejection[] } {
  const rejections: Rejection[] = []
  const byAccount = new Map<string, Item[]>()
  events.forEach((raw, index) => {
    const parsed = amendmentFromEvent(raw)
    if (!parsed.ok) {
      const { eventUuid: id, accountId } = describeRawEvent(raw)
      rejections.push({ index, raw, id, accountId, errors: parsed.errors })
      return
    }
    const a = parsed.amendment
    if (a.priceKey && !config.catalog.prices[a.priceKey]) {
      const message = `"${a.priceKey}" is not in catalog ${config.catalog.version}`
      const errors = [{ field: 'Price_Key__c', message }]
      rejections.push({ index, raw, id: a.id, accountId: a.accountId, errors })
      return
    }
    byAccount.set(a.accountId, [
      ...(byAccount.get(a.accountId) ?? []),
      { index, amendment: a, raw },
    ])
  })
  return { byAccount, rejections }
}

/** Hands one account's amendments to its ledger; a ledger's refusal becomes a rejection. */
async function enqueueAccount(
  ports: IntakePorts,
  accountId: string,
  items: Item[],
  out: {
    results: Array<EventResult | undefined>
    rejections: Rejection[]
    indexed: IndexedAmendment[]
    log: Logger
  },
): Promise<void> {
  try {
    const answers = await ports.ledger(accountId).enqueue(items.map((i) => i.amendment))
    answers.forEach((answer, k) => {
      const item = items[k]
      if (!item) return
      if (answer.status === 'rejected') {
        out.rejections.push({
          index: item.index,
          raw: item.raw,
          id: answer.eventUuid,
          accountId,
          errors: [{ field: 'Sequence__c', message: answer.message }],
        })
      } else {
        out.results[item.index] = {
          index: item.index,
          eventUuid: answer.eventUuid,
          status: answer.status,
        }
        const a = item.amendment
        out.indexed.push({
          amendmentId: a.id,
          correlationId: a.correlationId,
          accountId,
          receivedAt: new Date().toISOString(),
        })
      }
    })
  } catch (err) {
    // Not stored: say so per event, so Salesforce sends them again (dedupe makes that safe).
    out.log.error('ledger enqueue failed', { accountId, ...errorFields(err) })
    for (const item of items)
      out.results[item.index] = {
        index: item.index,
        eventUuid: item.amendment.id,
        status: 'failed',
        retryable: true,
      }
  }
}

/**
 * Takes a batch of raw `Subscription_Amendment__e` events: valid ones go to their account's
 * ledger (durable there before this returns), invalid ones to the quarantine with their raw
 * payload and reasons. Returns one result per event, in the order sent.
 */
export async function ingestEvents(opts: {
  ports: IntakePorts
  config: Config
  events: unknown[]
  requestId: string
  source: string
  log: Logger
}): Promise<EventResult[]> {
  const results = new Array<EventResult | undefined>(opts.events.length)
  const { byAccount, rejections } = sortEvents(opts.events, opts.config)
  const out = { results, rejections, indexed: [] as IndexedAmendment[], log: opts.log }
  await Promise.all(
    [...byAccount].map(([accountId, items]) => enqueueAccount(opts.ports, accountId, items, out)),
  )
  if (out.indexed.length > 0) await indexStored(opts.ports, out.indexed, opts.log)
  if (rejections.length > 0) await quarantine(opts, rejections, results)
  return results.map((r, index) => r ?? { index, eventUuid: '', status: 'failed', retryable: true })
}

/**
 * The index only points at ledgers: the amendments are already stored, so a failed index write
 * is logged (with the ids, to add them by hand) and the intake still answers for them. A
 * redelivery of the same events indexes them again.
 */
async function indexStored(
  ports: IntakePorts,
  entries: IndexedAmendment[],
  log: Logger,
): Promise<void> {
  try {
    await ports.index(entries)
  } catch (err) {
    log.error('amendment index write failed', {
      amendmentIds: entries.map((e) => e.amendmentId),
      ...errorFields(err),
    })
  }
}

async function quarantine(
  opts: { ports: IntakePorts; requestId: string; source: string; log: Logger },
  rejections: Rejection[],
  results: Array<EventResult | undefined>,
): Promise<void> {
  const ids = await quarantineRejections((e) => opts.ports.quarantine(e), opts, rejections)
  rejections.forEach((r, k) => {
    const quarantineId = ids?.[k]
    if (quarantineId === undefined) {
      results[r.index] = {
        index: r.index,
        eventUuid: r.id ?? '',
        status: 'failed',
        retryable: true,
      }
      return
    }
    opts.log.warn('event quarantined', { index: r.index, eventUuid: r.id, reasons: r.errors })
    results[r.index] = {
      index: r.index,
      eventUuid: r.id,
      status: 'rejected',
      quarantineId,
      errors: r.errors,
    }
  })
}
