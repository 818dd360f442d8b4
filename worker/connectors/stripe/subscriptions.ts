import type { Amendment } from '../../../shared/index.ts'
import type { BillingResult } from '../types.ts'
import type { StripeClient } from './client.ts'
import { businessError } from './errors.ts'
import type {
  StripeList,
  StripeSchedule,
  StripeSubscription,
  StripeSubscriptionItem,
} from './stripe-types.ts'
import { concordStatus, currentPeriodEnd } from './mirror.ts'

/** What an amendment acts on: a live subscription (with its schedule, if one is attached), or a schedule whose subscription hasn't started yet. */
export interface Target {
  subscription?: StripeSubscription
  schedule?: StripeSchedule
}

const MAX_PAGES = 20
const ENDED = new Set(['canceled', 'incomplete_expired'])

export function isEnded(sub: StripeSubscription): boolean {
  return ENDED.has(sub.status)
}

/** The schedule managing `sub`, when `sub` was read with `expand[]=schedule` and one is attached. */
export function attachedSchedule(sub: StripeSubscription): StripeSchedule | undefined {
  const s = sub.schedule
  return s && typeof s === 'object' && (s.status === 'active' || s.status === 'not_started')
    ? s
    : undefined
}

/** @throws ConnectorError */
export function fetchSubscription(client: StripeClient, id: string): Promise<StripeSubscription> {
  return client.get<StripeSubscription>(`/v1/subscriptions/${encodeURIComponent(id)}`, {
    expand: ['schedule'],
  })
}

/** Concord subscriptions carry one item (one price key); it is the one every change targets. */
export function primaryItem(sub: StripeSubscription): StripeSubscriptionItem {
  const item = sub.items.data[0]
  if (!item)
    throw businessError(
      'subscription_without_items',
      `Subscription ${sub.id} has no items to change.`,
    )
  return item
}

/**
 * Finds the subscription (or a not-yet-started schedule) a Salesforce subscription key names,
 * among one customer's: a live one first, then a schedule yet to start, else (unless
 * `liveOnly`) the most recent ended one.
 * @throws ConnectorError
 */
export async function findBySubscriptionKey(
  client: StripeClient,
  customerId: string,
  key: string,
  opts: { liveOnly?: boolean } = {},
): Promise<string | undefined> {
  const matches: StripeSubscription[] = []
  let startingAfter: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    const list = await client.get<StripeList<StripeSubscription>>('/v1/subscriptions', {
      customer: customerId,
      status: 'all',
      limit: 100,
      starting_after: startingAfter,
    })
    matches.push(...list.data.filter((s) => s.metadata?.['subscription_key'] === key))
    const last = list.data.at(-1)
    if (!list.has_more || !last) break
    startingAfter = last.id
  }
  const live = matches.find((s) => !isEnded(s))
  if (live) return live.id
  const schedules = await client.get<StripeList<StripeSchedule>>('/v1/subscription_schedules', {
    customer: customerId,
    limit: 100,
  })
  const pending = schedules.data.find(
    (s) => s.status === 'not_started' && s.metadata?.['subscription_key'] === key,
  )
  if (pending) return pending.id
  if (opts.liveOnly) return undefined
  return matches.sort((a, b) => b.created - a.created)[0]?.id
}

/**
 * Loads what a non-create amendment changes. A `sub_sched_` id (a future-dated create) resolves
 * to its subscription once the schedule has started it.
 * @throws ConnectorError business when nothing matches, or it belongs to another customer.
 */
export async function resolveTarget(
  client: StripeClient,
  input: { amendment: Amendment; customerId: string; subscriptionId?: string },
): Promise<Target> {
  const key = input.amendment.subscriptionKey
  const id = input.subscriptionId ?? (await findBySubscriptionKey(client, input.customerId, key))
  if (!id)
    throw businessError(
      'subscription_not_found',
      `No Stripe subscription with subscription_key "${key}" for customer ${input.customerId}.`,
    )
  let target: Target
  if (id.startsWith('sub_sched_')) {
    const schedule = await client.get<StripeSchedule>(
      `/v1/subscription_schedules/${encodeURIComponent(id)}`,
    )
    const subId =
      typeof schedule.subscription === 'string'
        ? schedule.subscription
        : (schedule.subscription?.id ?? schedule.released_subscription ?? undefined)
    target = subId ? fromSubscription(await fetchSubscription(client, subId)) : { schedule }
  } else {
    target = fromSubscription(await fetchSubscription(client, id))
  }
  const owner = target.subscription?.customer ?? target.schedule?.customer
  if (owner !== input.customerId)
    throw businessError(
      'customer_mismatch',
      `Stripe object ${id} belongs to another customer than ${input.customerId}.`,
    )
  return target
}

function fromSubscription(subscription: StripeSubscription): Target {
  return { subscription, schedule: attachedSchedule(subscription) }
}

/** The step's outcome for the saga: `ref` is the Stripe object this step changed. */
export function subscriptionResult(sub: StripeSubscription, ref: string = sub.id): BillingResult {
  return {
    subscriptionId: sub.id,
    ref,
    status: concordStatus(sub),
    currentPeriodEnd: currentPeriodEnd(sub.items.data),
    currency: sub.currency.toUpperCase(),
    ...(typeof sub.latest_invoice === 'string' ? { latestInvoiceId: sub.latest_invoice } : {}),
  }
}

/** A schedule that has not started its subscription yet stands in for it until it does. */
export function pendingScheduleResult(schedule: StripeSchedule): BillingResult {
  const currency = schedule.phases[0]?.currency
  return {
    subscriptionId: schedule.id,
    ref: schedule.id,
    status: schedule.status === 'canceled' ? 'canceled' : 'pending',
    currency: currency ? currency.toUpperCase() : undefined,
  }
}
