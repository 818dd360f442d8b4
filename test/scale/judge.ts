import { DEMO_CATALOG } from '../stack/demo.ts'
import type { VendorStack } from '../stack/vendors.ts'
import type { Effect } from '../emulators/common/effects.ts'
import type { Chain } from './workload.ts'
import { mirrorsOffSurvivor, type Merge } from './merges.ts'

type Json = Record<string, unknown>

/** Sync statuses after which Concord does nothing more with an amendment. */
const FINAL = new Set(['applied', 'parked', 'rejected', 'superseded'])

/** What the emulators say about the run: each invariant's count of breaches, 0 when it holds. */
export interface Verdict {
  applied: number
  parked: number
  /** Amendments with no final status in Salesforce. */
  lost: number
  /** Applied amendments whose billing or ERP effect is not exactly one; accounts with two customers. */
  duplicateEffects: number
  /** Subscriptions whose billing effects are not in sequence order. */
  outOfOrder: number
  /**
   * Billing_Subscription__c and Billing_Invoice__c mirrors that differ from Stripe's object, and
   * merged-away accounts' subscription mirrors not on the survivor.
   */
  divergentMirrors: number
  /** Parked amendments with no code or message. */
  unexplained: number
  /** Up to five examples of breaches, for the report. */
  examples: string[]
  /** Every amendment without a final status and every divergent mirror, by what it is. */
  outstanding: Outstanding[]
}

/** One piece of work the run still waits on, named so a later round can find it again. */
export interface Outstanding {
  kind: 'amendment status' | 'subscription mirror' | 'invoice mirror'
  /** The amendment id, or Stripe's id of the mirrored object. */
  id: string
  text: string
}

/**
 * A change to a subscription, attributed by the correlation id in its metadata. A cancellation is
 * not: `DELETE /v1/subscriptions/:id` takes no metadata, so it carries the previous change's id
 * and is counted per subscription instead.
 */
const billingEffect = (e: Effect) =>
  e.kind.startsWith('subscription.') &&
  !['subscription.status', 'subscription.cancel'].includes(e.kind) &&
  !e.kind.endsWith('.noop')
const erpEffect = (e: Effect) => !e.kind.startsWith('customer.') && !e.kind.endsWith('.noop')

function byCorrelation(effects: Effect[], keep: (e: Effect) => boolean): Map<string, Effect[]> {
  const map = new Map<string, Effect[]>()
  for (const e of effects)
    if (e.correlationId && keep(e))
      map.set(e.correlationId, [...(map.get(e.correlationId) ?? []), e])
  return map
}

const kinds = (list: Effect[]) => list.map((x) => `${x.kind} ${x.target}`).join(', ') || 'none'

/** The mirror Salesforce must hold for a Stripe subscription, read from Stripe's state alone. */
function expectedSubscription(s: Json): Json {
  const item = (s.items as { data: Json[] }).data[0] as Json
  const priceId = String((item.price as Json).id)
  const ending = s.cancel_at_period_end === true || typeof s.cancel_at === 'number'
  const status =
    s.status === 'canceled'
      ? 'canceled'
      : s.status === 'active'
        ? ending
          ? 'scheduled_cancel'
          : 'active'
        : 'pending'
  return {
    External_Id__c: s.id,
    Status__c: status,
    Quantity__c: item.quantity,
    Price_Key__c: Object.entries(DEMO_CATALOG.prices).find(
      ([, p]) => p.billingPriceId === priceId,
    )?.[0],
  }
}

function differences(expected: Json, actual: Json | undefined): string[] {
  if (!actual) return ['missing']
  return Object.entries(expected)
    .filter(([k, v]) => actual[k] !== v)
    .map(([k, v]) => `${k} ${JSON.stringify(actual[k])} ≠ ${JSON.stringify(v)}`)
}

/** Every Stripe subscription and invoice of the run's customers against its Salesforce mirror. */
function mirrorBreaches(vendors: VendorStack, customers: Set<string>): Outstanding[] {
  const sf = vendors.salesforce.sf
  const store = vendors.stripe.stripe.store
  const subs = new Map(sf.records('Billing_Subscription__c').map((r) => [r.External_Id__c, r]))
  const invoices = new Map(sf.records('Billing_Invoice__c').map((r) => [r.External_Id__c, r]))
  const breaches: Outstanding[] = []
  for (const s of store.subscriptions.values() as Iterable<Json>) {
    if (!customers.has(String(s.customer))) continue
    const diff = differences(expectedSubscription(s), subs.get(s.id))
    if (diff.length)
      breaches.push({
        kind: 'subscription mirror',
        id: String(s.id),
        text: `subscription ${String(s.id)}: ${diff.join(', ')}`,
      })
  }
  for (const inv of store.invoices.values() as Iterable<Json>) {
    if (!customers.has(String(inv.customer)) || inv.status === 'draft') continue
    const mirror = invoices.get(inv.id)
    const diff = differences(
      { Status__c: inv.status },
      mirror && { Status__c: mirror.Status__c },
    ).concat(
      mirror && Math.round(Number(mirror.Amount_Paid__c) * 100) !== inv.amount_paid
        ? [`Amount_Paid__c ${String(mirror.Amount_Paid__c)} ≠ ${Number(inv.amount_paid) / 100}`]
        : [],
    )
    if (diff.length)
      breaches.push({
        kind: 'invoice mirror',
        id: String(inv.id),
        text: `invoice ${String(inv.id)}: ${diff.join(', ')}`,
      })
  }
  return breaches
}

/** The Stripe customers each account got (from the customers' `sf_account_id` metadata). */
function customersByAccount(vendors: VendorStack, accounts: Set<string>): Map<string, string[]> {
  const map = new Map<string, string[]>()
  for (const c of vendors.stripe.stripe.store.customers.values()) {
    const account = c.metadata?.sf_account_id ?? ''
    if (accounts.has(account)) map.set(account, [...(map.get(account) ?? []), String(c.id)])
  }
  return map
}

/**
 * Judges the run from the emulators' own state (records, effect ledgers, Stripe's objects),
 * never from the worker's: a worker that reported success wrongly can't pass.
 */
export function judge(vendors: VendorStack, all: Chain[], merges: Merge[] = []): Verdict {
  const v: Verdict = {
    applied: 0,
    parked: 0,
    lost: 0,
    duplicateEffects: 0,
    outOfOrder: 0,
    divergentMirrors: 0,
    unexplained: 0,
    examples: [],
    outstanding: [],
  }
  const note = (text: string) => v.examples.length < 5 && v.examples.push(text)
  const syncs = new Map(
    vendors.salesforce.sf.records('Subscription_Sync__c').map((r) => [r.External_Id__c, r]),
  )
  const billing = byCorrelation(vendors.stripe.effects.all(), billingEffect)
  const erp = byCorrelation(vendors.netsuite.effects.all(), erpEffect)
  const cancels = new Map<string, Effect[]>()
  for (const e of vendors.stripe.effects.all())
    if (e.kind === 'subscription.cancel')
      cancels.set(e.target, [...(cancels.get(e.target) ?? []), e])
  for (const chain of all) {
    const target = billing.get(chain[0]?.correlationId ?? '')?.[0]?.target ?? ''
    const order: number[] = []
    for (const a of chain) {
      const row = syncs.get(a.id)
      const status = typeof row?.Status__c === 'string' ? row.Status__c : 'missing'
      if (!FINAL.has(status)) {
        v.lost++
        const text = `amendment ${a.id} (${a.subscriptionKey} #${a.sequence}) is ${status}`
        v.outstanding.push({ kind: 'amendment status', id: a.id, text })
        note(text)
      } else if (status === 'parked') {
        v.parked++
        if (!row?.Error_Code__c || !row.Error_Message__c) v.unexplained++
      } else if (status === 'applied') {
        v.applied++
        const b =
          a.action === 'cancel' ? (cancels.get(target) ?? []) : (billing.get(a.correlationId) ?? [])
        const e = erp.get(a.correlationId) ?? []
        if (b.length !== 1 || e.length !== 1) {
          v.duplicateEffects++
          note(`amendment ${a.id} (${a.action}): billing ${kinds(b)}; ERP ${kinds(e)}`)
        }
        if (b[0]) order.push(b[0].seq)
      }
    }
    if (order.some((seq, i) => i > 0 && seq < (order[i - 1] as number))) {
      v.outOfOrder++
      note(`${chain[0]?.subscriptionKey}: billing effects out of sequence order`)
    }
  }
  const accounts = new Set(all.map((c) => c[0]?.accountId ?? ''))
  const customers = customersByAccount(vendors, accounts)
  for (const [account, list] of customers)
    if (list.length > 1) {
      v.duplicateEffects++
      note(`account ${account} has ${list.length} billing customers`)
    }
  const breaches = [
    ...mirrorBreaches(vendors, new Set([...customers.values()].flat())),
    ...mirrorsOffSurvivor(vendors, all, merges),
  ]
  v.divergentMirrors = breaches.length
  v.outstanding.push(...breaches)
  for (const b of breaches.slice(0, 3)) note(b.text)
  return v
}

/** Holds when nothing is lost, duplicated, out of order, divergent or unexplained. */
export const clean = (v: Verdict) =>
  v.lost + v.duplicateEffects + v.outOfOrder + v.divergentMirrors + v.unexplained === 0
