import { randomUUID } from 'node:crypto'
import { BENCH_PRICE_KEY } from '../bench/amendment-load.ts'

/** The annual price a chain's last change may move to (in every emulator: test/stack/demo.ts). */
const ANNUAL_PRICE_KEY = 'pro-annual-usd'
const FIRST_QUANTITY = 3

/** One amendment of the scale run and the `Subscription_Amendment__e` Salesforce would publish. */
export interface ChainedAmendment {
  id: string
  accountId: string
  subscriptionKey: string
  sequence: number
  action: 'create' | 'change_quantity' | 'change_price' | 'cancel'
  correlationId: string
  event: Record<string, unknown>
}

/** The amendments of one subscription, in the order a rep made them. */
export type Chain = ChainedAmendment[]

/**
 * `perSubscription` amendments for each of `subscriptionsPerAccount` subscriptions of every
 * account: a create, then seat changes; every third chain ends on a move to the annual price and
 * every seventh on an immediate cancel, so mirrors end in more than one state.
 */
export function chains(
  accounts: string[],
  subscriptionsPerAccount: number,
  perSubscription: number,
  random: () => number,
): Chain[] {
  const run = randomUUID().slice(0, 6).toUpperCase()
  let n = 0
  return accounts.flatMap((accountId, a) =>
    Array.from({ length: subscriptionsPerAccount }, (_, s) => {
      const key = `SUB-SCALE-${run}-${a + 1}-${s + 1}`
      const ending = n++ % 7 === 6 ? 'cancel' : n % 3 === 0 ? 'change_price' : 'change_quantity'
      return Array.from({ length: perSubscription }, (_, i) => {
        const action =
          i === 0 ? 'create' : i === perSubscription - 1 ? ending : ('change_quantity' as const)
        return amendment(accountId, key, i + 1, action, FIRST_QUANTITY + Math.floor(random() * 40))
      })
    }),
  )
}

function amendment(
  accountId: string,
  key: string,
  sequence: number,
  action: ChainedAmendment['action'],
  quantity: number,
): ChainedAmendment {
  const id = randomUUID()
  const correlationId = randomUUID()
  const event = {
    attributes: { type: 'Subscription_Amendment__e' },
    EventUuid: id,
    ReplayId: null,
    CreatedDate: new Date().toISOString(),
    CreatedById: null,
    Account_Id__c: accountId,
    Subscription_Key__c: key,
    Sequence__c: sequence,
    Action__c: action,
    Price_Key__c:
      action === 'create' ? BENCH_PRICE_KEY : action === 'change_price' ? ANNUAL_PRICE_KEY : null,
    Quantity__c: action === 'create' || action === 'change_quantity' ? quantity : null,
    Effective_Date__c: null,
    Proration__c: action === 'change_price' ? 'none' : 'create_prorations',
    Cancel_Mode__c: action === 'cancel' ? 'immediately' : null,
    Correlation_Id__c: correlationId,
    Requested_By__c: null,
  }
  return { id, accountId, subscriptionKey: key, sequence, action, correlationId, event }
}
