import type { Catalog } from '../../../shared/index.ts'
import type { BillingSubscription } from '../../connectors/types.ts'
import { mirrorState } from '../../ledger/subscription-mirror.ts'
import type { DriftCause, FieldDiff, MirrorRow } from './types.ts'

type Value = string | number | null

/** The fields billing owns on `Billing_Subscription__c` (README, "Which system owns which field"). */
function ownedFields(sub: BillingSubscription, catalog: Catalog): Record<string, Value> {
  const s = mirrorState(sub, catalog)
  return {
    External_Id__c: s.billingId,
    Status__c: s.status,
    Quantity__c: s.quantity ?? null,
    Price_Key__c: s.priceKey ?? null,
    Current_Period_End__c: s.currentPeriodEnd?.slice(0, 10) ?? null,
    Currency_Iso__c: s.currency?.toUpperCase() ?? null,
  }
}

function rowFields(row: MirrorRow): Record<string, Value> {
  return {
    External_Id__c: row.externalId,
    Status__c: row.status,
    Quantity__c: row.quantity,
    Price_Key__c: row.priceKey,
    Current_Period_End__c: row.currentPeriodEnd?.slice(0, 10) ?? null,
    Currency_Iso__c: row.currency?.toUpperCase() ?? null,
  }
}

/** Where a Salesforce mirror differs from billing's subscription, field by field. */
export function fieldDiffs(
  sub: BillingSubscription,
  row: MirrorRow,
  catalog: Catalog,
): FieldDiff[] {
  const want = ownedFields(sub, catalog)
  const have = rowFields(row)
  return Object.keys(want)
    .filter((f) => (want[f] ?? null) !== (have[f] ?? null))
    .map((f) => ({ field: f, salesforce: have[f] ?? null, billing: want[f] ?? null }))
}

/** Of two subscriptions under one key, the one the mirror shows (as the ledger decides it). */
function shownOf(subs: BillingSubscription[]): BillingSubscription[] {
  const byKey = new Map<string, BillingSubscription>()
  const out: BillingSubscription[] = []
  for (const sub of subs) {
    if (!sub.subscriptionKey) {
      out.push(sub)
      continue
    }
    const held = byKey.get(sub.subscriptionKey)
    const wins = !held || (sub.live !== held.live ? sub.live : sub.created >= held.created)
    if (wins) byKey.set(sub.subscriptionKey, sub)
  }
  return [...out, ...byKey.values()]
}

export interface AccountDrift {
  subscriptionId?: string
  rowId?: string
  cause: DriftCause
  fields?: FieldDiff[]
}

/**
 * Every difference between one account's billing subscriptions and its Salesforce mirrors.
 * `integrationUserId` tells a hand edit from a write of Concord's that lags.
 */
export function compareAccount(input: {
  subscriptions: BillingSubscription[]
  rows: MirrorRow[]
  catalog: Catalog
  integrationUserId?: string
}): AccountDrift[] {
  const { rows, catalog } = input
  const out: AccountDrift[] = []
  const matched = new Set<string>()
  for (const sub of shownOf(input.subscriptions)) {
    const row =
      rows.find((r) => !!sub.subscriptionKey && r.subscriptionKey === sub.subscriptionKey) ??
      rows.find((r) => r.externalId === sub.id)
    // Without a Salesforce key nothing in Salesforce drives it: Concord mirrors it (by its id)
    // but cannot own it, so an operator hears of it whether or not a mirror exists.
    if (!sub.subscriptionKey) out.push({ subscriptionId: sub.id, cause: 'unowned_subscription' })
    if (!row) {
      if (sub.subscriptionKey) out.push({ subscriptionId: sub.id, cause: 'missing_mirror' })
      continue
    }
    matched.add(row.id)
    const fields = fieldDiffs(sub, row, catalog)
    if (fields.length === 0) continue
    const byPerson = !!input.integrationUserId && row.lastModifiedById !== input.integrationUserId
    out.push({
      subscriptionId: sub.id,
      rowId: row.id,
      cause: byPerson ? 'hand_edit' : 'stale_mirror',
      fields,
    })
  }
  const known = new Set(input.subscriptions.map((s) => s.id))
  for (const row of rows)
    if (!matched.has(row.id) && row.externalId && !known.has(row.externalId))
      out.push({ rowId: row.id, cause: 'orphan_mirror', subscriptionId: row.externalId })
  return out
}
