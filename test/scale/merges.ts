import { signRequest } from '../../worker/lib/signature.ts'
import type { BenchStack } from '../bench/stack.ts'
import type { VendorStack } from '../stack/vendors.ts'
import type { Chain } from './workload.ts'
import type { Outstanding } from './judge.ts'

/** Salesforce merged `loser` into `survivor` (both Accounts of the run, each with its own chains). */
export interface Merge {
  loser: string
  survivor: string
}

/**
 * `share` of the accounts merged into other accounts of the run: disjoint pairs, so no survivor
 * is also a loser. At least one pair when `share` is above 0 and there are two accounts.
 */
export function pickMerges(accounts: string[], share: number, random: () => number): Merge[] {
  if (share <= 0 || accounts.length < 2) return []
  const pool = [...accounts]
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[pool[i], pool[j]] = [pool[j] as string, pool[i] as string]
  }
  const n = Math.min(Math.floor(pool.length / 2), Math.max(1, Math.round(accounts.length * share)))
  return Array.from({ length: n }, (_, i) => ({
    loser: pool[2 * i] as string,
    survivor: pool[2 * i + 1] as string,
  }))
}

/**
 * Posts the merges as the Apex relay does (`POST /v1/salesforce/account-changes`, signed), again
 * while the worker is down or answers 5xx (it may be mid-restart).
 * @throws when the worker refuses a merge.
 */
export async function postMerges(stack: BenchStack, secret: string, merges: Merge[]) {
  const changes = merges.map((m) => ({
    id: `merge:${m.loser}`,
    type: 'account.merged',
    loserId: m.loser,
    survivorId: m.survivor,
  }))
  const body = JSON.stringify({ changes })
  const target = '/v1/salesforce/account-changes'
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${stack.workerUrl}${target}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(await signRequest(secret, { method: 'POST', target, body })),
      },
      body,
    }).catch(() => undefined)
    if (res?.status === 200) {
      const answer = (await res.json()) as { results: Array<{ status: string }> }
      const refused = answer.results.find((r) => r.status !== 'queued' && r.status !== 'duplicate')
      if (refused) throw new Error(`a merge was refused: ${JSON.stringify(refused)}`)
      return
    }
    if (res && res.status < 500)
      throw new Error(`account changes: ${res.status} ${await res.text()}`)
    if (attempt >= 60) throw new Error('account changes: the worker did not answer')
    await new Promise((r) => setTimeout(r, 1_000))
  }
}

/**
 * Each merged-away account's subscription mirrors must sit on its survivor (the merge is the one
 * sanctioned move of a mirror to another Account). One breach per mirror elsewhere.
 */
export function mirrorsOffSurvivor(
  vendors: VendorStack,
  all: Chain[],
  merges: Merge[],
): Outstanding[] {
  const survivorOf = new Map(merges.map((m) => [m.loser, m.survivor]))
  const expected = new Map<string, string>()
  for (const chain of all) {
    const survivor = survivorOf.get(chain[0]?.accountId ?? '')
    if (survivor && chain[0]) expected.set(chain[0].subscriptionKey, survivor)
  }
  const breaches: Outstanding[] = []
  for (const r of vendors.salesforce.sf.records('Billing_Subscription__c')) {
    const want = expected.get(String(r.Subscription_Key__c))
    if (want && r.Account__c !== want)
      breaches.push({
        kind: 'subscription mirror',
        id: String(r.External_Id__c),
        text: `mirror ${String(r.Subscription_Key__c)} on ${String(r.Account__c)}, not on its survivor ${want}`,
      })
  }
  return breaches
}
