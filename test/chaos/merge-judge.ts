import { expect } from 'vitest'
import type { EmulatorEffect } from '../worker/support/vendors.ts'
import { drainWriter } from '../worker/support/helpers.ts'
import { salesforceRecords } from '../worker/support/vendors.ts'
import { stripeRead } from './merge-support.ts'
import { until } from '../support/poll.ts'

/*
 * The merge chaos run's verdict, from the emulators' state only: Stripe's and NetSuite's effect
 * ledgers and objects, and the records in Salesforce.
 */

type Json = Record<string, unknown>
type Syncs = Map<unknown, Json>

const billingOf = (stripe: EmulatorEffect[], id: unknown) =>
  stripe.filter(
    (e) =>
      e.correlationId === id &&
      e.kind.startsWith('subscription.') &&
      !e.kind.endsWith('.noop') &&
      e.kind !== 'subscription.status',
  )
const erpOf = (netsuite: EmulatorEffect[], id: unknown) =>
  netsuite.filter(
    (e) => e.correlationId === id && !e.kind.endsWith('.noop') && !e.kind.startsWith('customer.'),
  )

/**
 * Every amendment applied has one billing and one ERP effect, a parked one at most one billing
 * effect and a reason, and each subscription's billing effects are in sequence order.
 * @returns how many were applied and parked.
 */
export function judgeEffects(
  chains: Json[][],
  syncs: Syncs,
  stripe: EmulatorEffect[],
  netsuite: EmulatorEffect[],
): { applied: number; parked: number; codes: string[] } {
  const tally = { applied: 0, parked: 0, codes: [] as string[] }
  for (const chain of chains) {
    const billedOrder: number[] = []
    for (const event of chain) {
      const sync = syncs.get(event.EventUuid)
      const billing = billingOf(stripe, event.Correlation_Id__c)
      const erp = erpOf(netsuite, event.Correlation_Id__c)
      const what = `${String(event.Subscription_Key__c)} #${String(event.Sequence__c)}`
      if (sync?.Status__c === 'applied') {
        tally.applied++
        expect(billing, `one billing effect for ${what}`).toHaveLength(1)
        expect(erp, `one ERP effect for ${what}`).toHaveLength(1)
        billedOrder.push(stripe.indexOf(billing[0] as EmulatorEffect))
      } else {
        tally.parked++
        expect(sync?.Status__c, `${what} is applied or parked`).toBe('parked')
        expect(sync?.Error_Code__c, `parked ${what} says why`).toBeTruthy()
        expect(sync?.Error_Message__c, `parked ${what} says why`).toBeTruthy()
        expect(billing.length, `at most one billing effect for ${what}`).toBeLessThanOrEqual(1)
        // One with an ERP effect was past its last vendor step: it cannot be parked.
        expect(erp, `no ERP effect for parked ${what} (${String(sync?.Error_Code__c)})`).toEqual([])
        tally.codes.push(String(sync?.Error_Code__c))
      }
    }
    expect(billedOrder, 'billing effects in sequence order').toEqual(
      [...billedOrder].sort((a, b) => a - b),
    )
  }
  return tally
}

/**
 * No Account has two Stripe customers (by `metadata.sf_account_id`) or two NetSuite customers made
 * for it (by external id), and a survivor with no work of its own has no customer beside its
 * loser's: it takes the loser's, handed over or, when the loser's create had taken effect but
 * lost its answer before the merge, found by the loser's account id. A survivor with work of its
 * own may keep its customer beside the loser's (README "Account changes", Merges, 2).
 * @returns the pairs' Stripe customers, and how many survivors with work of their own kept theirs
 * beside their loser's.
 */
export function judgeCustomers(
  pairs: Array<{ loser: string; survivor: string; own: boolean }>,
  stripeCustomers: Map<string, string[]>,
  netsuite: EmulatorEffect[],
): { stripe: number; beside: number } {
  const erpMade = (account: string) =>
    netsuite.filter(
      (e) => /^customer\.(upsert\.)?create$/.test(e.kind) && e.target === `customer:${account}`,
    ).length
  const tally = { stripe: 0, beside: 0 }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  for (const p of pairs) {
    const stripe = [p.loser, p.survivor].map((a) => stripeCustomers.get(a)?.length ?? 0)
    const erp = [p.loser, p.survivor].map(erpMade)
    for (const n of [...stripe, ...erp])
      expect(n, 'one customer per Account').toBeLessThanOrEqual(1)
    const pair = `${p.loser} merged into ${p.survivor}`
    if (p.own) {
      if (sum(stripe) > 1 || sum(erp) > 1) tally.beside++
    } else {
      expect(sum(stripe), `one Stripe customer between ${pair}`).toBeLessThanOrEqual(1)
      expect(sum(erp), `one NetSuite customer between ${pair}`).toBeLessThanOrEqual(1)
    }
    tally.stripe += sum(stripe)
  }
  return tally
}

interface MirrorCheck {
  key: string
  survivor: string
  /** The last applied amendment's quantity and price key. */
  quantity: number
  priceKey: string
}

async function mirrorProblems(checks: MirrorCheck[]): Promise<string[]> {
  await drainWriter()
  const mirrors = new Map(
    (await salesforceRecords('Billing_Subscription__c')).map((r) => [r.Subscription_Key__c, r]),
  )
  const problems: string[] = []
  for (const c of checks) {
    const m = mirrors.get(c.key)
    if (!m) {
      problems.push(`${c.key}: no mirror`)
      continue
    }
    const sub = await stripeRead<Json>(`/v1/subscriptions/${String(m.External_Id__c)}`)
    const quantity = (sub.items as { data: Json[] }).data[0]?.quantity
    const want = {
      account: c.survivor,
      quantity: c.quantity,
      price: c.priceKey,
      status: sub.status,
    }
    const got = {
      account: m.Account__c,
      quantity: m.Quantity__c,
      price: m.Price_Key__c,
      status: m.Status__c,
    }
    if (quantity !== c.quantity)
      problems.push(`${c.key}: Stripe has ${String(quantity)} seats, ${c.quantity} applied`)
    if (JSON.stringify(got) !== JSON.stringify(want))
      problems.push(`${c.key}: mirror ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`)
  }
  return problems
}

/**
 * Each loser's billed subscription ends mirrored under the survivor, as Stripe has it, with the
 * last applied amendment's seats and price.
 */
export async function judgeMirrors(checks: MirrorCheck[]): Promise<void> {
  let last: string[] = []
  await until(
    'the loser subscriptions’ mirrors to sit on the survivors, equal to Stripe',
    async () => {
      last = await mirrorProblems(checks)
      return last.length === 0
    },
    { intervalMs: 1000, timeoutMs: 60_000, describe: () => last },
  )
}

/** What each billed loser subscription should show: its last applied amendment's seats and price. */
export function mirrorChecks(
  pairs: Array<{ survivor: string; loserChain: Json[] }>,
  syncs: Syncs,
): MirrorCheck[] {
  const checks: MirrorCheck[] = []
  for (const p of pairs) {
    const applied = p.loserChain.filter((e) => syncs.get(e.EventUuid)?.Status__c === 'applied')
    if (applied[0]?.Sequence__c !== 1) continue
    let quantity = 0
    let priceKey = ''
    // A parked amendment holds the ones after it, so the applied ones are a prefix.
    for (const e of applied) {
      if (typeof e.Quantity__c === 'number') quantity = e.Quantity__c
      if (typeof e.Price_Key__c === 'string') priceKey = e.Price_Key__c
    }
    checks.push({
      key: String(applied[0].Subscription_Key__c),
      survivor: p.survivor,
      quantity,
      priceKey,
    })
  }
  return checks
}
