import { expect } from 'vitest'
import { operatorFetch } from '../worker/support/helpers.ts'
import { emulatorControl, vendors, type EmulatorEffect } from '../worker/support/vendors.ts'

/*
 * The re-parenting chaos run's verdict on customers, sales orders and reviews, from the emulators'
 * state (NetSuite's effect ledger and records) and the operator API's work queue only.
 */

type Json = Record<string, unknown>

/** One account's legal entities in order, each change with when it was first sent and answered. */
export interface EntityTimeline {
  account: string
  entities: string[]
  /**
   * changes[k] moved entities[k] to entities[k + 1]: `sentAt` is when Salesforce saved it (from
   * then on a read of the Account reports it), `answeredAt` when the worker first answered it.
   */
  changes: Array<{ id: string; sentAt: number; answeredAt: number }>
}

/** A subscription's amendments, with when its create was first sent. */
export interface SubPlan {
  account: string
  key: string
  correlations: string[]
  createSentAt: number
}

export const RULES: Record<string, string> = { 'US-INC': '1', 'UK-LTD': '2', 'EU-GMBH': '3' }

const ref = (v: unknown) => {
  const id = (v as { id?: string | number } | undefined)?.id
  return id === undefined ? '' : String(id)
}

async function nsRecord(type: string, id: unknown): Promise<Json> {
  return emulatorControl<Json>(vendors().netsuiteUrl, 'netsuite/record', { type, ref: String(id) })
}

/**
 * The subsidiaries the account may have routed new work to at some moment of [from, to]: the
 * entity before a change holds until the change was answered, the one after from when it was sent.
 */
export function routedDuring(t: EntityTimeline, from: number, to: number): Set<string> {
  const out = new Set<string>()
  t.entities.forEach((entity, k) => {
    const start = k === 0 ? -Infinity : (t.changes[k - 1]?.sentAt ?? -Infinity)
    const end = t.changes[k]?.answeredAt ?? Infinity
    if (start <= to && end >= from) out.add(RULES[entity] ?? '?')
  })
  return out
}

export interface SubVerdict {
  key: string
  account: string
  customer: string
  subsidiary: string
  firstOrderAt: number
  createSentAt: number
}

/**
 * Each subscription's sales orders are all under one customer (none moved), and that customer's
 * subsidiary is one the account routed new work to between the create's sending and its first
 * order (the README's rule: a subscription stays on the customer it was first ordered under).
 */
export async function judgeOrders(
  subs: SubPlan[],
  timelines: Map<string, EntityTimeline>,
  netsuite: EmulatorEffect[],
): Promise<SubVerdict[]> {
  const verdicts: SubVerdict[] = []
  for (const sub of subs) {
    const orders = netsuite.filter(
      (e) =>
        e.kind.startsWith('salesOrder.') &&
        !e.kind.endsWith('.noop') &&
        sub.correlations.includes(String(e.correlationId)),
    ) as Array<EmulatorEffect & { at: string }>
    if (orders.length === 0) continue
    const customers = new Set<string>()
    for (const o of orders) customers.add(ref((await nsRecord('salesOrder', o.detail?.id)).entity))
    expect([...customers], `${sub.key}: all its sales orders under one customer`).toHaveLength(1)
    const customer = [...customers][0] ?? ''
    const subsidiary = ref((await nsRecord('customer', customer)).subsidiary)
    const firstOrderAt = Date.parse(orders[0]?.at ?? '')
    const allowed = routedDuring(
      timelines.get(sub.account) as EntityTimeline,
      sub.createSentAt,
      firstOrderAt,
    )
    expect([...allowed], `${sub.key}: ordered under a subsidiary its account routed to`).toContain(
      subsidiary,
    )
    verdicts.push({ ...sub, customer, subsidiary, firstOrderAt })
  }
  return verdicts
}

/**
 * The account's NetSuite customers, from the creates in the effect ledger: at most one per
 * subsidiary, each one's external id naming its subsidiary (`<account>-S<id>`) or the account
 * alone, never moved to another subsidiary than the one its external id names.
 * @returns the customers by subsidiary.
 */
export async function judgeCustomers(
  account: string,
  netsuite: EmulatorEffect[],
): Promise<Map<string, string>> {
  const made = netsuite.filter(
    (e) =>
      /^customer\.(upsert\.)?create$/.test(e.kind) && e.target.startsWith(`customer:${account}`),
  )
  const bySubsidiary = new Map<string, string>()
  for (const e of made) {
    const record = await nsRecord('customer', e.detail?.id)
    const subsidiary = ref(record.subsidiary)
    const named = /-S(\d+)$/.exec(String(record.externalId))?.[1]
    if (named) expect(subsidiary, `${String(record.externalId)} in its subsidiary`).toBe(named)
    expect(
      bySubsidiary.get(subsidiary),
      `${account}: a second NetSuite customer in subsidiary ${subsidiary}`,
    ).toBeUndefined()
    bySubsidiary.set(subsidiary, String(e.detail?.id))
  }
  return bySubsidiary
}

/** The account's `account_review` items in the work queue, by the operator API. */
export async function reviewItems(
  account: string,
): Promise<Array<{ amendmentId: string; message: string }>> {
  const res = await operatorFetch(`/v1/exceptions?accountId=${account}&limit=500`)
  if (res.status !== 200) throw new Error(`exceptions: ${res.status}`)
  const body = await res.json<{
    items: Array<{ kind: string; id: string; message: string }>
  }>()
  return body.items
    .filter((i) => i.kind === 'account_review')
    .map((i) => ({ amendmentId: i.id, message: i.message }))
}

/**
 * Reviews: one per (subscription, change) at most, never for a duplicate; every subscription
 * ordered before a change was sent, under a subsidiary other than the one the change moved the
 * account to, has that change's review; a subscription created after the account's last change
 * was answered (new work, not open at any change) has none. One open at a change is reviewed
 * for it even if its first sales order came later (billed, its ERP step still retrying).
 * @returns how many reviews were filed.
 */
export async function judgeReviews(t: EntityTimeline, verdicts: SubVerdict[]): Promise<number> {
  const items = await reviewItems(t.account)
  const ids = items.map((i) => i.amendmentId)
  expect(ids, `${t.account}: one review per subscription and change`).toEqual([...new Set(ids)])
  const has = (key: string, change: string) => ids.includes(`review:${t.account}:${key}:${change}`)
  const mine = verdicts.filter((v) => v.account === t.account)
  t.changes.forEach((change, k) => {
    const to = RULES[t.entities[k + 1] ?? ''] ?? '?'
    const from = RULES[t.entities[k] ?? ''] ?? '?'
    if (to === from) return
    for (const v of mine)
      if (v.firstOrderAt < change.sentAt && v.subsidiary !== to)
        expect(
          has(v.key, change.id),
          `${v.key} reviewed for ${change.id} (${JSON.stringify({ v, change, ids })})`,
        ).toBe(true)
  })
  const last = t.changes.at(-1)
  const latest = RULES[t.entities.at(-1) ?? ''] ?? '?'
  for (const v of mine)
    if (last && v.createSentAt > last.answeredAt && v.subsidiary === latest)
      expect(
        ids.filter((id) => id.includes(`:${v.key}:`)),
        `${v.key} needs no review`,
      ).toEqual([])
  for (const id of ids)
    expect(
      t.changes.some((c) => id.endsWith(`:${c.id}`)),
      `${id} names one of the account's changes`,
    ).toBe(true)
  return ids.length
}
