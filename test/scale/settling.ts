import type { VendorStack } from '../stack/vendors.ts'
import type { Outstanding } from './judge.ts'

type Kind = Outstanding['kind']

/** One piece of work seen outstanding after the last fault, and when it was last seen so. */
interface Seen {
  item: Outstanding
  lastSeenAt: number
  /** The first round after it that no longer found it (its convergence, to one round). */
  convergedAt?: number
}

/**
 * What the run waited on after the last fault: each judge round's outstanding work, remembered
 * until a round no longer finds it. Says per kind how much there was at the last fault and when
 * the last of it converged, and which items converged last.
 */
export class SettleWatch {
  private readonly seen = new Map<string, Seen>()
  readonly lastFault: number

  constructor(lastFault: number) {
    this.lastFault = lastFault
  }

  /** One judge round at `now`: what it found outstanding. */
  observe(outstanding: Outstanding[], now: number): void {
    const found = new Set<string>()
    for (const item of outstanding) {
      const key = `${item.kind}|${item.id}`
      found.add(key)
      const held = this.seen.get(key)
      if (held) Object.assign(held, { item, lastSeenAt: now, convergedAt: undefined })
      else this.seen.set(key, { item, lastSeenAt: now })
    }
    for (const [key, s] of this.seen) if (!found.has(key)) s.convergedAt ??= now
  }

  /** Per kind: items outstanding at the first round, and the last one's convergence after the fault. */
  byKind(): Array<{ kind: Kind; count: number; lastMs?: number; open: number }> {
    const kinds = new Map<Kind, { count: number; lastMs?: number; open: number }>()
    for (const s of this.seen.values()) {
      const k = kinds.get(s.item.kind) ?? { count: 0, open: 0 }
      k.count++
      if (s.convergedAt === undefined) k.open++
      else k.lastMs = Math.max(k.lastMs ?? 0, s.convergedAt - this.lastFault)
      kinds.set(s.item.kind, k)
    }
    return [...kinds].map(([kind, k]) => ({ kind, ...k }))
  }

  /** The `n` items that converged last (or never did), latest first. */
  last(n: number): Array<{ item: Outstanding; afterMs?: number }> {
    return [...this.seen.values()]
      .sort((a, b) => (b.convergedAt ?? Infinity) - (a.convergedAt ?? Infinity))
      .slice(0, n)
      .map((s) => ({
        item: s.item,
        afterMs: s.convergedAt === undefined ? undefined : s.convergedAt - this.lastFault,
      }))
  }
}

const secs = (ms: number) => `${ms >= 0 ? '+' : ''}${(ms / 1000).toFixed(1)} s`

/**
 * What an object's mirror waited on, from the emulators' logs alone, times relative to the last
 * fault: Stripe's events about it and each delivery attempt of them, and the Salesforce writes
 * to its mirror. For an amendment: the writes to its `Subscription_Sync__c`.
 */
export function timeline(vendors: VendorStack, item: Outstanding, lastFault: number): string[] {
  const lines: string[] = []
  const at = (iso: string | number) => secs(Number(new Date(iso)) - lastFault)
  if (item.kind !== 'amendment status') {
    const events = [...vendors.stripe.stripe.store.events.values()].filter(
      (e) => (e.data.object as { id?: unknown }).id === item.id,
    )
    const deliveries = vendors.stripe.stripe.webhooks.deliveries()
    for (const e of events) {
      const tries = deliveries
        .filter((d) => d.eventId === e.id)
        .map(
          (d) =>
            `${at(d.at)} #${d.attempt}${d.duplicate ? ' dup' : ''} ${d.ok ? 'ok' : d.lost ? 'lost' : d.status || (d.error ?? 'failed')}`,
        )
      lines.push(
        `  event ${e.type} created ${at(e.created * 1000)}: ${tries.join(', ') || 'no delivery yet'}`,
      )
    }
  }
  const object =
    item.kind === 'amendment status'
      ? 'Subscription_Sync__c'
      : item.kind === 'invoice mirror'
        ? 'Billing_Invoice__c'
        : 'Billing_Subscription__c'
  const writes = vendors.salesforce.effects
    .all()
    .filter((e) => e.target === item.id && e.kind.startsWith(`${object}.`))
    .map((e) => `${at(e.at)} ${e.kind.slice(object.length + 1)}`)
  lines.push(`  ${object} writes: ${writes.join(', ') || 'none'}`)
  return lines
}

/** Stripe's queue of webhook deliveries to the worker: how many wait, and the oldest's age. */
export function webhookBacklog(vendors: VendorStack, now = Date.now()) {
  const { webhooks, store } = vendors.stripe.stripe
  const queued = webhooks.pending()
  const created = queued.map((j) => (store.events.get(j.eventId)?.created ?? now / 1000) * 1000)
  const done = webhooks.deliveries().filter((d) => !d.lost)
  const answerMs = done.reduce((sum, d) => sum + d.durationMs, 0) / Math.max(1, done.length)
  return {
    queued: queued.length,
    oldestMs: created.length > 0 ? now - Math.min(...created) : 0,
    deliveries: done.length,
    answerMs,
  }
}
