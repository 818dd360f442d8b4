import { classifyStripeEvent, type BillingEventRef } from '../../webhooks/stripe-events.ts'
import type { DriftFinding, DriftSources, DriftTargets } from './types.ts'

/** A page of events resolved to the accounts they belong to. */
interface Routed {
  byAccount: Map<string, BillingEventRef[]>
  unrouted: number
}

/** Routes events as the webhook route does: the directory first, then the customer's metadata. */
async function route(
  events: Awaited<ReturnType<DriftSources['stripe']['events']>>['events'],
  sources: DriftSources,
  targets: DriftTargets,
  known: Map<string, string | undefined>,
  only?: { accountId: string; customerId: string },
): Promise<Routed> {
  const byAccount = new Map<string, BillingEventRef[]>()
  let unrouted = 0
  for (const event of events) {
    const c = classifyStripeEvent(event)
    if (!c.handled) continue
    const customer =
      c.customerId ??
      (c.invoiceId ? await sources.stripe.customerOfInvoice(c.invoiceId) : undefined)
    if (only && customer !== only.customerId) continue
    if (customer && !known.has(customer))
      known.set(
        customer,
        (await targets.registry.lookupCustomer(customer)) ??
          (await sources.stripe.accountOfCustomer(customer)),
      )
    const accountId = customer ? known.get(customer) : undefined
    if (!accountId) {
      unrouted++
      continue
    }
    byAccount.set(accountId, [...(byAccount.get(accountId) ?? []), c.ref])
  }
  return { byAccount, unrouted }
}

export interface EventsPageResult {
  findings: DriftFinding[]
  checked: number
  unrouted: number
  ledgerCalls: number
}

/**
 * One page of Stripe's events in a window, fed to the ledgers through their webhook entry
 * (`recordBillingEvents`, deduped by event id) for any event a ledger never recorded: a lost
 * webhook is then re-read and merged exactly as a delivered one would have been. `only` limits
 * it to one account's customer. Without `repair`, events are only compared.
 */
export async function catchUpEvents(
  page: Awaited<ReturnType<DriftSources['stripe']['events']>>,
  ctx: {
    sources: DriftSources
    targets: DriftTargets
    repair: boolean
    only?: { accountId: string; customerId: string }
    known: Map<string, string | undefined>
    refreshing: Set<string>
  },
): Promise<EventsPageResult> {
  const routed = await route(page.events, ctx.sources, ctx.targets, ctx.known, ctx.only)
  const findings: DriftFinding[] = []
  let ledgerCalls = 0
  for (const [accountId, refs] of routed.byAccount) {
    const ledger = ctx.targets.ledger(accountId)
    const unseen = new Set(await ledger.unseenBillingEvents(refs.map((r) => r.id)))
    ledgerCalls++
    const lost = refs.filter((r) => unseen.has(r.id))
    if (lost.length === 0) continue
    if (ctx.repair) {
      await ledger.recordBillingEvents(accountId, lost)
      ledgerCalls++
      for (const r of lost) for (const x of r.refresh) ctx.refreshing.add(x.id)
    }
    for (const r of lost)
      findings.push({
        accountId,
        object: 'event',
        id: r.id,
        cause: 'lost_webhook',
        action: ctx.repair ? 'repair_requested' : 'reported',
        detail: `${r.type} never reached the ledger; it re-reads ${r.refresh.map((x) => x.id).join(', ')}`,
      })
  }
  return { findings, checked: page.events.length, unrouted: routed.unrouted, ledgerCalls }
}
