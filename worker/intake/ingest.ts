import {
  amendmentFromEvent,
  describeRawEvent,
  type Amendment,
  type EventResult,
  type FieldError,
} from '../../shared/index.ts'
import type { Config } from '../config/types.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import type { QuarantineInput } from '../ops/ops-registry.ts'

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
}

interface Rejection {
  index: number
  raw: unknown
  eventUuid?: string
  accountId?: string
  errors: FieldError[]
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
  const { ports, config, events, log } = opts
  const results = new Array<EventResult | undefined>(events.length)
  const rejections: Rejection[] = []
  const byAccount = new Map<string, Array<{ index: number; amendment: Amendment; raw: unknown }>>()

  events.forEach((raw, index) => {
    const parsed = amendmentFromEvent(raw)
    if (!parsed.ok) {
      rejections.push({ index, raw, ...describeRawEvent(raw), errors: parsed.errors })
      return
    }
    const a = parsed.amendment
    if (a.priceKey && !config.catalog.prices[a.priceKey]) {
      const message = `"${a.priceKey}" is not in catalog ${config.catalog.version}`
      rejections.push({
        index,
        raw,
        eventUuid: a.id,
        accountId: a.accountId,
        errors: [{ field: 'Price_Key__c', message }],
      })
      return
    }
    const list = byAccount.get(a.accountId) ?? []
    list.push({ index, amendment: a, raw })
    byAccount.set(a.accountId, list)
  })

  await Promise.all(
    [...byAccount].map(async ([accountId, items]) => {
      try {
        const answers = await ports.ledger(accountId).enqueue(items.map((i) => i.amendment))
        answers.forEach((answer, k) => {
          const item = items[k]
          if (!item) return
          if (answer.status === 'rejected') {
            rejections.push({
              index: item.index,
              raw: item.raw,
              eventUuid: answer.eventUuid,
              accountId,
              errors: [{ field: 'Sequence__c', message: answer.message }],
            })
          } else
            results[item.index] = {
              index: item.index,
              eventUuid: answer.eventUuid,
              status: answer.status,
            }
        })
      } catch (err) {
        // Not stored: say so per event, so Salesforce sends them again (dedupe makes that safe).
        log.error('ledger enqueue failed', { accountId, ...errorFields(err) })
        for (const item of items)
          results[item.index] = {
            index: item.index,
            eventUuid: item.amendment.id,
            status: 'failed',
            retryable: true,
          }
      }
    }),
  )

  if (rejections.length > 0) await quarantine(opts, rejections, results)
  return results.map((r, index) => r ?? { index, eventUuid: '', status: 'failed', retryable: true })
}

async function quarantine(
  opts: { ports: IntakePorts; requestId: string; source: string; log: Logger },
  rejections: Rejection[],
  results: Array<EventResult | undefined>,
): Promise<void> {
  const inputs: QuarantineInput[] = rejections.map((r) => ({
    source: opts.source,
    requestId: opts.requestId,
    eventUuid: r.eventUuid,
    accountId: r.accountId,
    reasons: r.errors,
    raw: JSON.stringify(r.raw) ?? 'undefined',
  }))
  try {
    const ids = await opts.ports.quarantine(inputs)
    rejections.forEach((r, k) => {
      opts.log.warn('event quarantined', {
        index: r.index,
        eventUuid: r.eventUuid,
        reasons: r.errors,
      })
      results[r.index] = {
        index: r.index,
        eventUuid: r.eventUuid,
        status: 'rejected',
        quarantineId: ids[k] ?? '',
        errors: r.errors,
      }
    })
  } catch (err) {
    opts.log.error('quarantine write failed', errorFields(err))
    for (const r of rejections)
      results[r.index] = {
        index: r.index,
        eventUuid: r.eventUuid ?? '',
        status: 'failed',
        retryable: true,
      }
  }
}
