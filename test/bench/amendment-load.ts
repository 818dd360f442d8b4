import { randomUUID } from 'node:crypto'

/** The catalog price every bench subscription starts on (in all three emulators: test/stack/demo.ts). */
export const BENCH_PRICE_KEY = 'pro-monthly-usd'
const FIRST_QUANTITY = 5

/** One amendment of the workload, and the `Subscription_Amendment__e` Salesforce would publish for it. */
export interface PlannedAmendment {
  id: string
  accountId: string
  subscriptionKey: string
  sequence: number
  action: 'create' | 'change_quantity'
  priceKey?: string
  quantity: number
  correlationId: string
  event: Record<string, unknown>
}

/**
 * `n` amendments over `accounts`, `subscriptionsPerAccount` subscriptions each: amendment i goes
 * to subscription i mod (subscriptions), so the stream first creates every subscription, then
 * changes each one's quantity in turn (sequence 2, 3, …), the order reps would make them in.
 * @throws Error when `n` can't give every subscription its create.
 */
export function planAmendments(
  accounts: string[],
  n: number,
  subscriptionsPerAccount: number,
): PlannedAmendment[] {
  const run = randomUUID().slice(0, 6).toUpperCase()
  const subscriptions = accounts.flatMap((accountId, a) =>
    Array.from({ length: subscriptionsPerAccount }, (_, s) => ({
      accountId,
      key: `SUB-BENCH-${run}-${a + 1}-${s + 1}`,
    })),
  )
  if (n < subscriptions.length)
    throw new Error(
      `${n} amendments can't create ${subscriptions.length} subscriptions (${accounts.length} accounts × ${subscriptionsPerAccount})`,
    )
  return Array.from({ length: n }, (_, i) => {
    const sub = subscriptions[i % subscriptions.length] as { accountId: string; key: string }
    const sequence = Math.floor(i / subscriptions.length) + 1
    const create = sequence === 1
    const planned = {
      id: randomUUID(),
      accountId: sub.accountId,
      subscriptionKey: sub.key,
      sequence,
      action: create ? ('create' as const) : ('change_quantity' as const),
      priceKey: create ? BENCH_PRICE_KEY : undefined,
      quantity: FIRST_QUANTITY + sequence - 1,
      correlationId: randomUUID(),
    }
    return { ...planned, event: amendmentEvent(planned) }
  })
}

/** The platform event as Salesforce serializes it (the shape test/stack/demo-amend.ts posts). */
function amendmentEvent(a: Omit<PlannedAmendment, 'event'>): Record<string, unknown> {
  return {
    attributes: { type: 'Subscription_Amendment__e' },
    EventUuid: a.id,
    ReplayId: null,
    CreatedDate: new Date().toISOString(),
    CreatedById: null,
    Account_Id__c: a.accountId,
    Subscription_Key__c: a.subscriptionKey,
    Sequence__c: a.sequence,
    Action__c: a.action,
    Price_Key__c: a.priceKey ?? null,
    Quantity__c: a.quantity,
    Effective_Date__c: null,
    Proration__c: 'create_prorations',
    Cancel_Mode__c: null,
    Correlation_Id__c: a.correlationId,
    Requested_By__c: null,
  }
}

/** How the amendments are offered: all at once (throughput), or at a steady rate (latency). */
export type Delivery =
  | { mode: 'burst'; batch: number; lanes: number }
  | { mode: 'paced'; ratePerS: number; tickMs: number }

/** Takes one batch; resolves when the receiver has it (for Concord: the intake answered `queued`). */
export type Intake = (batch: PlannedAmendment[]) => Promise<void>

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))

/**
 * Offers `amendments` to `intake` in stream order and notes when each was taken.
 * Burst: `lanes` senders each take the next `batch` as soon as their last was answered.
 * Paced: every `tickMs` the amendments due by then go as one batch, sent without waiting for
 * earlier batches, so a slow intake can't lower the offered rate.
 * @returns intake time (epoch ms) by amendment id.
 * @throws whatever `intake` throws.
 */
export async function deliver(
  amendments: PlannedAmendment[],
  how: Delivery,
  intake: Intake,
): Promise<Map<string, number>> {
  const takenAt = new Map<string, number>()
  const send = async (batch: PlannedAmendment[]) => {
    await intake(batch)
    const at = Date.now()
    for (const a of batch) takenAt.set(a.id, at)
  }
  if (how.mode === 'burst') {
    let next = 0
    const lane = async () => {
      while (next < amendments.length) {
        const batch = amendments.slice(next, next + how.batch)
        next += batch.length
        await send(batch)
      }
    }
    await Promise.all(Array.from({ length: how.lanes }, lane))
    return takenAt
  }
  const started = Date.now()
  const sent: Array<Promise<void>> = []
  let offered = 0
  for (let tick = 1; offered < amendments.length; tick++) {
    await sleep(started + tick * how.tickMs - Date.now())
    const due = Math.min(
      amendments.length,
      Math.floor(((Date.now() - started) * how.ratePerS) / 1000),
    )
    if (due > offered) sent.push(send(amendments.slice(offered, due)))
    offered = Math.max(offered, due)
  }
  await Promise.all(sent)
  return takenAt
}
