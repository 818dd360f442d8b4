import type { VendorStack } from '../stack/vendors.ts'
import { countDelta } from './vendors-api.ts'

const SYNC = 'Subscription_Sync__c'
/** OAuth token endpoints: a credential, not a call on the vendor's data. */
const TOKEN_ROUTE = /oauth2\/token|\/token$/

/**
 * Notes when each amendment's `Subscription_Sync__c` first shows `Status__c = applied` in the
 * Salesforce emulator. The emulator runs in this process: every `pollMs` the watcher reads the
 * effects committed since its last look (the emulator's ledger of record writes, each stamped
 * with its commit time) and, per record written, whether it now holds `applied`. The time is the
 * commit time of the last write to that record in the batch read (applied is final, so that is
 * the write that made it so), not the time of the poll: exact to the millisecond.
 */
export class AppliedWatcher {
  readonly seenAt = new Map<string, number>()
  private cursor = 0
  private timer: NodeJS.Timeout | undefined
  private readonly vendors: VendorStack

  constructor(vendors: VendorStack, pollMs: number) {
    this.vendors = vendors
    this.cursor = vendors.salesforce.effects.all().length
    this.timer = setInterval(() => this.look(), pollMs)
  }

  private look(): void {
    const all = this.vendors.salesforce.effects.all()
    const lastWrite = new Map<string, number>()
    for (const e of all.slice(this.cursor)) {
      const id = e.detail?.id
      if (e.kind.startsWith(`${SYNC}.`) && typeof id === 'string')
        lastWrite.set(id, Date.parse(e.at))
    }
    this.cursor = all.length
    const table = this.vendors.salesforce.sf.org.store.table(SYNC)
    for (const [id, at] of lastWrite) {
      const values = table.get(id)?.values
      const key = values?.External_Id__c
      if (values?.Status__c === 'applied' && typeof key === 'string' && !this.seenAt.has(key))
        this.seenAt.set(key, at)
    }
  }

  /** Resolves once every id in `ids` was seen applied, or false at `deadline` (epoch ms). */
  async waitFor(ids: string[], deadline: number): Promise<boolean> {
    while (Date.now() < deadline) {
      this.look()
      if (ids.every((id) => this.seenAt.has(id))) return true
      await new Promise((r) => setTimeout(r, 50))
    }
    return false
  }

  stop(): void {
    clearInterval(this.timer)
    this.look()
  }
}

/** Requests per route of each emulator, and the Salesforce emulator's own API-call counter. */
export interface CallCounts {
  stripe: Record<string, number>
  netsuite: Record<string, number>
  salesforce: Record<string, number>
  salesforceApiTotal: number
}

/** The emulators' request counters now (read in process: reading them is not a call). */
export function callCounts(vendors: VendorStack): CallCounts {
  return {
    stripe: Object.fromEntries(vendors.stripe.requests),
    netsuite: Object.fromEntries(vendors.netsuite.requests),
    salesforce: Object.fromEntries(vendors.salesforce.requests),
    salesforceApiTotal: vendors.salesforce.sf.apiCalls().total,
  }
}

/** Vendor calls made between two counts. */
export interface VendorCalls {
  /** API calls per vendor (token requests left out; they are in `tokens`). */
  stripe: number
  netsuite: number
  /** The Salesforce emulator's API-call counter (what the org's daily allocation is charged). */
  salesforce: number
  tokens: number
  /** Requests by route, per vendor, for the JSON: what the calls were. */
  routes: {
    stripe: Record<string, number>
    netsuite: Record<string, number>
    salesforce: Record<string, number>
  }
}

const sum = (counts: Record<string, number>, keep: (route: string) => boolean) =>
  Object.entries(counts).reduce((n, [route, v]) => (keep(route) ? n + v : n), 0)

export function callsBetween(before: CallCounts, after: CallCounts): VendorCalls {
  const routes = {
    stripe: countDelta(before.stripe, after.stripe),
    netsuite: countDelta(before.netsuite, after.netsuite),
    salesforce: countDelta(before.salesforce, after.salesforce),
  }
  const api = (route: string) => !TOKEN_ROUTE.test(route)
  const token = (route: string) => TOKEN_ROUTE.test(route)
  return {
    stripe: sum(routes.stripe, api),
    netsuite: sum(routes.netsuite, api),
    salesforce: after.salesforceApiTotal - before.salesforceApiTotal,
    tokens: sum(routes.stripe, token) + sum(routes.netsuite, token) + sum(routes.salesforce, token),
    routes,
  }
}

/**
 * Every vendor answers each request `ms` later (the emulators' fault rule with a latency and no
 * status), as a vendor across the internet would.
 * @throws Error when an emulator refuses the rule.
 */
export async function setUpstreamLatency(vendors: VendorStack, ms: number): Promise<void> {
  for (const url of [vendors.salesforce.url, vendors.stripe.url, vendors.netsuite.url]) {
    const res = await fetch(`${url}/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ latencyMs: ms }] }),
    })
    if (!res.ok) throw new Error(`${url}: faults refused: ${res.status} ${await res.text()}`)
  }
}
