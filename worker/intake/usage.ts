import { toId18, UsageRecord, type UsageResult } from '../../shared/index.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import type { RecordUsageResult } from '../ledger/usage/accept.ts'
import type { QuarantineInput } from '../ops/ops-registry.ts'
import { quarantineRejections, type Rejection } from './quarantine.ts'

/** Where usage goes: each account's ledger, and the quarantine for what is refused. */
export interface UsagePorts {
  ledger(accountId: string): {
    recordUsage(records: UsageRecord[], requestId: string): Promise<RecordUsageResult[]>
  }
  quarantine(entries: QuarantineInput[]): Promise<string[]>
}

type Item = { index: number; record: UsageRecord; raw: unknown }

const idOf = (raw: unknown): string | undefined =>
  raw && typeof raw === 'object' && 'id' in raw && typeof raw.id === 'string' ? raw.id : undefined

/** Checks each record's shape: valid ones grouped by account (18-character id), the rest refused. */
function sortRecords(records: unknown[]): {
  byAccount: Map<string, Item[]>
  rejections: Rejection[]
} {
  const byAccount = new Map<string, Item[]>()
  const rejections: Rejection[] = []
  records.forEach((raw, index) => {
    const parsed = UsageRecord.safeParse(raw)
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({
        field: i.path.join('.') || '(record)',
        message: i.message,
      }))
      rejections.push({ index, raw, id: idOf(raw), errors })
      return
    }
    const record = { ...parsed.data, accountId: toId18(parsed.data.accountId) }
    const items = byAccount.get(record.accountId) ?? []
    items.push({ index, record, raw })
    byAccount.set(record.accountId, items)
  })
  return { byAccount, rejections }
}

const FIELD_OF: Record<string, string> = {
  unknown_meter: 'meter',
  unknown_subscription: 'subscriptionKey',
  wrong_account: 'accountId',
}

async function recordAccount(
  ports: UsagePorts,
  accountId: string,
  items: Item[],
  out: {
    results: Array<UsageResult | undefined>
    rejections: Rejection[]
    requestId: string
    log: Logger
  },
): Promise<void> {
  try {
    const answers = await ports.ledger(accountId).recordUsage(
      items.map((i) => i.record),
      out.requestId,
    )
    answers.forEach((a, k) => {
      const item = items[k]
      if (!item) return
      const base = { index: item.index, id: a.id }
      if (a.status === 'rejected') {
        const field = FIELD_OF[a.code] ?? 'timestamp'
        out.rejections.push({
          index: item.index,
          raw: item.raw,
          id: a.id,
          accountId,
          errors: [{ field, message: a.message }],
        })
      } else if (a.status === 'parked')
        out.results[item.index] = { ...base, status: 'parked', code: a.code, message: a.message }
      else out.results[item.index] = { ...base, status: a.status }
    })
  } catch (err) {
    // Not stored: answered per record so the sender resends them (ids make that safe).
    out.log.error('ledger usage record failed', { accountId, ...errorFields(err) })
    for (const item of items)
      out.results[item.index] = {
        index: item.index,
        id: item.record.id,
        status: 'failed',
        retryable: true,
      }
  }
}

async function quarantine(
  ports: UsagePorts,
  opts: { requestId: string; log: Logger },
  rejections: Rejection[],
  results: Array<UsageResult | undefined>,
): Promise<void> {
  const at = { source: 'usage', requestId: opts.requestId, log: opts.log }
  const ids = await quarantineRejections((e) => ports.quarantine(e), at, rejections)
  if (ids) opts.log.warn('usage records quarantined', { count: rejections.length })
  rejections.forEach((r, k) => {
    const quarantineId = ids?.[k]
    results[r.index] =
      quarantineId === undefined
        ? { index: r.index, id: r.id ?? '', status: 'failed', retryable: true }
        : { index: r.index, id: r.id, status: 'rejected', quarantineId, errors: r.errors }
  })
}

/**
 * Takes a batch of usage records: each valid one goes to its account's ledger (durable there
 * before this returns: accepted, duplicate or parked as late), each refused one to the
 * quarantine with its raw JSON and reasons. One result per record, in the order sent.
 */
export async function ingestUsage(opts: {
  ports: UsagePorts
  records: unknown[]
  requestId: string
  log: Logger
}): Promise<UsageResult[]> {
  const results = new Array<UsageResult | undefined>(opts.records.length)
  const { byAccount, rejections } = sortRecords(opts.records)
  const out = { results, rejections, requestId: opts.requestId, log: opts.log }
  await Promise.all(
    [...byAccount].map(([accountId, items]) => recordAccount(opts.ports, accountId, items, out)),
  )
  if (rejections.length > 0) await quarantine(opts.ports, opts, rejections, results)
  return results.map((r, index) => r ?? { index, id: '', status: 'failed', retryable: true })
}
