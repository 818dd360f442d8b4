import type { Catalog } from '../../shared/index.ts'
import type { BillingSubscription } from '../connectors/types.ts'
import { isMirrorKey, subscriptionRecord, type SubscriptionState } from '../writer/records/index.ts'
import type { WriteRecord } from '../writer/types.ts'
import { latestUsage } from './usage/views.ts'
import { mirrorActivation } from './activation.ts'

type MirrorRow = {
  external_id: string
  by_key: number
  subscription: string | null
  version: number
}

/**
 * Of two billing subscriptions under one Salesforce key, the one the mirror shows: a live one
 * over an ended one, then the later-created (as the saga finds a key's subscription). Decided
 * from the subscriptions themselves, so the order their reads come in changes nothing.
 */
function supersedes(next: BillingSubscription, shown: BillingSubscription): boolean {
  if (next.live !== shown.live) return next.live
  return next.created >= shown.created
}

/**
 * The account's `Billing_Subscription__c` mirrors, and the one place their records are made.
 * Two things feed a mirror: fresh reads of the subscription from billing (after its webhooks,
 * and after the saga changed it) and the saga's applied sequence. Every record carries both as
 * the ledger holds them now, under a version strictly increasing per mirror, so in whatever order
 * records reach the OrgWriter the last one made wins, and the applied sequence (a maximum) never
 * goes back. A webhook's payload and its one-second `created` order nothing here: many events
 * share a second, and they come late and twice.
 */
export class SubscriptionMirrors {
  private readonly sql: SqlStorage
  private readonly accountId: string
  private readonly catalog: Catalog
  private readonly queue: (record: WriteRecord) => void

  constructor(deps: {
    sql: SqlStorage
    accountId: string
    catalog: Catalog
    /** The ledger's Salesforce outbox (one record per external id: the last queued wins). */
    queue: (record: WriteRecord) => void
  }) {
    this.sql = deps.sql
    this.accountId = deps.accountId
    this.catalog = deps.catalog
    this.queue = deps.queue
  }

  /**
   * Takes a fresh read of a billing subscription; true when the mirror changed. Reads of one
   * ledger are made one after the other, so the latest read is billing's latest state.
   */
  applyRead(sub: BillingSubscription): boolean {
    const byKey = isMirrorKey(sub.subscriptionKey)
    const externalId = byKey ? (sub.subscriptionKey as string) : sub.id
    const held = this.row(externalId)
    const shown = held?.subscription
      ? (JSON.parse(held.subscription) as BillingSubscription)
      : undefined
    const repair = this.takeRepair(sub.id)
    if (shown && shown.id !== sub.id && !supersedes(sub, shown)) return false
    if (!repair && shown && JSON.stringify(shown) === JSON.stringify(sub)) return false
    this.sql.exec(
      `INSERT INTO subscription_mirror (external_id, by_key, subscription, version) VALUES (?, ?, ?, 0)
       ON CONFLICT (external_id) DO UPDATE SET subscription = excluded.subscription`,
      externalId,
      byKey ? 1 : 0,
      JSON.stringify(sub),
    )
    this.emit(externalId)
    return true
  }

  /**
   * A read found the subscription unlike what the mirror held (changed in billing since the
   * saga's last answer): the saga's copy of that answer no longer tells what to plan from.
   */
  forgetAnswer(subscriptionId: string): void {
    this.sql.exec(
      'UPDATE subscription SET billing_known = NULL WHERE billing_subscription_id = ?',
      subscriptionId,
    )
  }

  /** The saga applied an amendment of `subscriptionKey`: its mirror shows the applied sequence. */
  applied(subscriptionKey: string): void {
    if (!isMirrorKey(subscriptionKey)) return
    this.sql.exec(
      `INSERT INTO subscription_mirror (external_id, by_key, subscription, version) VALUES (?, 1, NULL, 0)
       ON CONFLICT (external_id) DO NOTHING`,
      subscriptionKey,
    )
    this.emit(subscriptionKey)
  }

  private takeRepair(subscriptionId: string): boolean {
    return (
      this.sql.exec('DELETE FROM mirror_repair WHERE subscription_id = ?', subscriptionId)
        .rowsWritten > 0
    )
  }

  /** `subscriptionKey` was activated: its mirror shows when. */
  activated(subscriptionKey: string): void {
    this.applied(subscriptionKey)
  }

  /** A usage period of `subscriptionKey` was summarised: its mirror shows the latest one. */
  usageSummarised(subscriptionKey: string): void {
    this.applied(subscriptionKey)
  }

  private row(externalId: string): MirrorRow | undefined {
    return this.sql
      .exec<MirrorRow>('SELECT * FROM subscription_mirror WHERE external_id = ?', externalId)
      .toArray()[0]
  }

  /** Queues the mirror whole, under the next version. */
  private emit(externalId: string): void {
    const row = this.row(externalId) as MirrorRow
    const version = Math.max(Date.now(), row.version + 1)
    this.sql.exec(
      'UPDATE subscription_mirror SET version = ? WHERE external_id = ?',
      version,
      externalId,
    )
    const sub = row.subscription ? (JSON.parse(row.subscription) as BillingSubscription) : undefined
    const applied = row.by_key
      ? this.sql
          .exec<{ n: number }>(
            'SELECT applied_sequence AS n FROM subscription WHERE key = ?',
            externalId,
          )
          .toArray()[0]?.n
      : undefined
    this.queue(
      subscriptionRecord({
        accountId: this.accountId,
        subscriptionKey: row.by_key ? externalId : undefined,
        state: sub && this.stateOf(sub),
        appliedSequence: applied,
        usage: row.by_key ? latestUsage(this.sql, externalId) : undefined,
        activation: row.by_key ? mirrorActivation(this.sql, externalId) : undefined,
        version,
      }),
    )
  }

  private stateOf(sub: BillingSubscription): SubscriptionState {
    return mirrorState(sub, this.catalog)
  }
}

/**
 * The drift reconciler found this subscription's mirror changed in Salesforce (a hand edit): its
 * next read writes the mirror again, once, whatever billing says.
 */
export function requestMirrorRepair(sql: SqlStorage, subscriptionId: string): void {
  sql.exec(
    'INSERT OR IGNORE INTO mirror_repair (subscription_id, requested_at) VALUES (?, ?)',
    subscriptionId,
    Date.now(),
  )
}

/** What a mirror shows of a billing subscription: its price as the catalog's key when known. */
export function mirrorState(sub: BillingSubscription, catalog: Catalog): SubscriptionState {
  const priceKey = sub.priceId
    ? (Object.entries(catalog.prices).find(([, p]) => p.billingPriceId === sub.priceId)?.[0] ??
      sub.priceId)
    : undefined
  return {
    billingId: sub.id,
    status: sub.status,
    currentPeriodEnd: sub.currentPeriodEnd,
    quantity: sub.quantity,
    priceKey,
    currency: sub.currency,
  }
}
