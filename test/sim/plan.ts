import type { Amendment, Catalog } from '../../shared/index.ts'
import type { Prng } from './prng.ts'

export const CATALOG: Catalog = {
  version: 'sim-1',
  prices: {
    basic: {
      billingPriceId: 'price_basic',
      erpItemId: '101',
      interval: 'month',
      currency: 'USD',
      productName: 'Basic',
      unitAmount: 1000,
    },
    pro: {
      billingPriceId: 'price_pro',
      erpItemId: '102',
      interval: 'month',
      currency: 'USD',
      productName: 'Pro',
      unitAmount: 5000,
    },
  },
}

/** What one schedule starts from: the amendments reps make, and which never arrive. */
export interface Plan {
  accounts: string[]
  amendments: Amendment[]
  /** Ids of amendments Salesforce never delivers (a sequence gap that never closes). */
  neverDelivered: Set<string>
  /** Scheduler steps with faults before the quiet phase, at least. */
  chaosSteps: number
}

const accountId = (n: number) => `001SIM${String(n).padStart(9, '0')}AAA`

/** One subscription's amendments: a create, then changes (now and then one billing refuses). */
function amendmentsOf(rng: Prng, account: string, key: string, at: number): Amendment[] {
  const count = 1 + rng.int(4)
  const list: Amendment[] = []
  for (let sequence = 1; sequence <= count; sequence++) {
    const base = {
      id: rng.uuid(),
      accountId: account,
      subscriptionKey: key,
      sequence,
      proration: 'create_prorations' as const,
      correlationId: `corr-${key}-${sequence}`,
      createdAt: new Date(at + sequence * 1000).toISOString(),
    }
    if (sequence === 1) {
      list.push({
        ...base,
        action: 'create',
        priceKey: rng.pick(['basic', 'pro']),
        quantity: 1 + rng.int(20),
      })
      continue
    }
    const kind = rng.weighted([
      ['quantity', 5],
      ['price', 2],
      ['cancel_end', 1],
      ['cancel_now', 0.5],
      ['renew', 1],
      ['unknown_price', 0.2],
    ] as const)
    if (kind === 'quantity')
      list.push({ ...base, action: 'change_quantity', quantity: 1 + rng.int(50) })
    else if (kind === 'price')
      list.push({ ...base, action: 'change_price', priceKey: rng.pick(['basic', 'pro']) })
    else if (kind === 'unknown_price')
      list.push({ ...base, action: 'change_price', priceKey: 'gold' })
    else if (kind === 'renew') list.push({ ...base, action: 'renew' })
    else
      list.push({
        ...base,
        action: 'cancel',
        cancelMode: kind === 'cancel_now' ? 'immediately' : 'at_period_end',
      })
  }
  return list
}

/** Draws a schedule's starting point from its seed. */
export function makePlan(rng: Prng, now: number): Plan {
  const accounts = Array.from({ length: 1 + rng.int(2) }, (_, i) => accountId(i + 1))
  const amendments: Amendment[] = []
  accounts.forEach((account, a) => {
    const subscriptions = 1 + rng.int(3)
    for (let s = 1; s <= subscriptions; s++)
      amendments.push(...amendmentsOf(rng, account, `SUB-${a + 1}-${s}`, now))
  })
  const neverDelivered = new Set<string>()
  const later = amendments.filter((a) => a.sequence > 1)
  if (later.length > 0 && rng.chance(0.05)) neverDelivered.add(rng.pick(later).id)
  return { accounts, amendments, neverDelivered, chaosSteps: 10 + rng.int(80) }
}
