import type { Catalog } from '../../shared/index.ts'
import { recoverability } from '../failure/recoverability.ts'
import { approvalRule } from '../ledger/governance.ts'
import { BILLING_READ } from '../ledger/finance-book.ts'
import { ACTIVATION_ACTION } from '../ledger/activation-delivery.ts'
import type { ExceptionEntry } from '../ledger/journal.ts'
import type { TroubledRecord } from '../writer/org-writer.ts'
import type { TroubledDelivery } from './alerts.ts'
import type { QuarantineEntry } from './ops-registry.ts'
import type { WorkItem, WorkSystem } from './work-queue.ts'

const VENDORS: Readonly<Record<string, WorkSystem>> = {
  stripe: 'stripe',
  billing: 'stripe',
  netsuite: 'netsuite',
  erp: 'netsuite',
  salesforce: 'salesforce',
}
const STEP_SYSTEM: Readonly<Record<string, WorkSystem>> = {
  billing: 'stripe',
  erp: 'netsuite',
  status: 'salesforce',
}

/**
 * Which system an amendment failed in: the saga writes the failing connector's system in front
 * of its message (`stripe: …`); a failure with no connector is Concord's own.
 */
function amendmentSystem(e: ExceptionEntry): WorkSystem {
  const prefix = /^([a-z]+): /.exec(e.message ?? '')?.[1]
  if (prefix && VENDORS[prefix]) return VENDORS[prefix]
  if (e.code === 'internal_error') return 'worker'
  return STEP_SYSTEM[e.step ?? ''] ?? 'worker'
}

/** The recurring amount the amendment's price and quantity come to, from the catalog. */
function amendmentImpact(e: ExceptionEntry, catalog: Catalog): WorkItem['impact'] {
  const price = e.priceKey ? catalog.prices[e.priceKey] : undefined
  if (!price || price.unitAmount === undefined) return undefined
  const quantity = e.quantity ?? 1
  return {
    amount: price.unitAmount * quantity,
    currency: price.currency,
    basis: `per ${price.interval}, ${quantity} × ${e.priceKey ?? ''}`,
  }
}

const present = (ids: Array<string | undefined>): string[] =>
  ids.filter((i): i is string => typeof i === 'string' && i.length > 0)

/**
 * A parked entry a person resolves outside Concord (nothing to retry: `needs_data_fix`) as a
 * work item named by the entry's id; undefined once it is no longer parked (resolved).
 */
function parkedForFix(
  e: ExceptionEntry,
  item: Pick<WorkItem, 'kind' | 'system' | 'code' | 'ids'> &
    Partial<Pick<WorkItem, 'accountId' | 'correlationId' | 'ref'>>,
): WorkItem | undefined {
  if (e.state !== 'parked') return undefined
  return {
    id: e.amendmentId,
    category: 'needs_data_fix',
    message: e.message ?? '',
    since: e.updatedAt,
    accountId: e.accountId,
    ref: e.amendmentId,
    ...item,
  }
}

/**
 * A parked or retrying amendment as a work item; undefined once it is neither (resolved). A
 * retry or skip of one whose billing step is still ahead moves money: it needs approval.
 */
export function amendmentItem(e: ExceptionEntry, catalog: Catalog): WorkItem | undefined {
  if (e.action === DRIFT_ACTION) return driftItem(e)
  if (e.action === BILLING_READ) return billingReadItem(e)
  if (e.action === 'credit' || e.action === 'refund') return moneyItem(e)
  if (e.action === ACTIVATION_ACTION) return activationItem(e)
  if (e.action === REVIEW_ACTION) return reviewItem(e)
  const retrying = e.state === 'waiting' && e.code !== null
  if (e.state !== 'parked' && !retrying) return undefined
  const amendment = {
    action: e.action as 'create',
    proration: (e.proration ?? 'create_prorations') as 'none',
  }
  const money = approvalRule({ kind: 'retry', step: e.step ?? 'xref', amendment }).required
  const erpId = e.erpRef?.split(':')[1]
  return {
    id: `amendment:${e.amendmentId}`,
    kind: 'amendment',
    category: recoverability(retrying ? 'retry' : 'park', money),
    system: amendmentSystem(e),
    code: e.code ?? 'unknown',
    message: e.message ?? '',
    since: e.updatedAt,
    nextAttemptAt: e.nextAttemptAt,
    accountId: e.accountId,
    correlationId: e.correlationId,
    amendmentId: e.amendmentId,
    impact: amendmentImpact(e, catalog),
    ids: {
      salesforce: [e.accountId],
      stripe: present([e.billingCustomerId, e.billingRef]),
      netsuite: present([e.erpCustomerId, e.erpRef, erpId]),
    },
    ref: e.amendmentId,
  }
}

/**
 * An activation whose provisioning webhook was refused or ran out of attempts: the receiver is
 * fixed, then `POST /v1/activations` for the subscription sends it again (same activation id,
 * which the receiver dedupes on). Resolved when a delivery goes through.
 */
function activationItem(e: ExceptionEntry): WorkItem | undefined {
  return parkedForFix(e, {
    kind: 'activation',
    system: 'worker',
    code: e.code ?? 'activation',
    correlationId: e.correlationId,
    ids: { salesforce: present([e.accountId, e.subscriptionKey]), stripe: [], netsuite: [] },
    ref: e.subscriptionKey,
  })
}

/** The action re-parenting files its reviews under (`ledger/account-changes/legal-entity.ts`). */
const REVIEW_ACTION = 'account_review'

/**
 * An open subscription of an Account whose legal entity changed: it stays on its NetSuite
 * customer and subsidiary until a person moves or closes it there. Nothing to retry.
 */
function reviewItem(e: ExceptionEntry): WorkItem | undefined {
  return parkedForFix(e, {
    kind: 'account_review',
    system: 'netsuite',
    code: e.code ?? 'legal_entity_changed',
    ids: {
      salesforce: [e.accountId],
      stripe: present([e.billingRef]),
      netsuite: present([e.erpCustomerId]),
    },
  })
}

/** The action the drift reconciler files its findings under (`reconcile/drift/run.ts`). */
const DRIFT_ACTION = 'reconcile'

/**
 * A drift finding Concord may not decide (a Stripe subscription made outside Salesforce, a
 * mirror naming a subscription its customer lacks, an ERP order edited in NetSuite): a person
 * decides in Stripe, Salesforce or NetSuite,
 * and the reconciler clears it once a compare no longer finds it. There is nothing to retry.
 */
function driftItem(e: ExceptionEntry): WorkItem | undefined {
  const inSalesforce = e.code === 'drift_orphan_mirror'
  // An ERP order edited in NetSuite, or one whose re-run NetSuite refused: named by its external id.
  const inNetsuite =
    e.code === 'drift_erp_edit' ||
    e.code === 'drift_lost_erp_step' ||
    e.code === 'drift_erp_mismatch'
  const object = e.subscriptionKey
  return parkedForFix(e, {
    kind: 'drift',
    system: inNetsuite ? 'netsuite' : inSalesforce ? 'salesforce' : 'stripe',
    code: e.code ?? 'drift',
    accountId: e.accountId || undefined,
    ids: {
      salesforce: present([e.accountId]),
      stripe: present([object.startsWith('sub_') ? object : undefined]),
      netsuite: present([inNetsuite ? object : undefined]),
    },
  })
}

/**
 * A re-read billing refused for good (the document is gone, or another customer's): the ledger
 * keeps the request; a later event or a backfill asks for it again and clears this.
 */
function billingReadItem(e: ExceptionEntry): WorkItem | undefined {
  return parkedForFix(e, {
    kind: 'billing_read',
    system: 'stripe',
    code: e.code ?? 'unknown',
    ids: { salesforce: present([e.accountId]), stripe: [e.subscriptionKey], netsuite: [] },
  })
}

/**
 * A credit or refund retrying after a failure, or parked after its retry budget
 * (`ledger/money-queue.ts`). Parked before its Stripe step, retrying it moves money: it needs
 * finance approval; parked at a NetSuite step, the ERP's data needs fixing before a retry.
 */
function moneyItem(e: ExceptionEntry): WorkItem | undefined {
  const retrying = e.state === 'waiting' && e.code !== null
  if (e.state !== 'parked' && !retrying) return undefined
  const billing = e.step === 'billing'
  return {
    id: e.amendmentId,
    kind: 'money_action',
    category: recoverability(retrying ? 'retry' : 'park', billing),
    system: billing ? 'stripe' : 'netsuite',
    code: e.code ?? 'unknown',
    message: `${e.action} of ${e.subscriptionKey}: ${e.message ?? ''}`,
    since: e.updatedAt,
    nextAttemptAt: e.nextAttemptAt,
    accountId: e.accountId,
    correlationId: e.correlationId,
    ids: {
      salesforce: [e.accountId],
      stripe: present([e.subscriptionKey, e.billingRef]),
      netsuite: present([e.erpRef]),
    },
    ref: e.amendmentId,
  }
}

/** A quarantined input: refused for good until someone fixes and resends it. */
export function quarantineItem(q: QuarantineEntry): WorkItem {
  const stripe = q.source.startsWith('stripe')
  return {
    id: `quarantine:${q.id}`,
    kind: 'quarantine',
    category: recoverability('dead_letter', false),
    system: stripe ? 'stripe' : 'salesforce',
    code: 'invalid_input',
    message: q.reasons.map((r) => `${r.field}: ${r.message}`).join('; '),
    since: q.receivedAt,
    accountId: q.accountId,
    amendmentId: stripe ? undefined : q.eventUuid,
    ids: {
      salesforce: stripe ? [] : present([q.accountId, q.eventUuid]),
      stripe: stripe ? present([q.eventUuid]) : [],
      netsuite: [],
    },
    ref: q.id,
  }
}

/** A Stripe event whose customer maps to no Salesforce account. */
export function unmatchedWebhookItem(e: {
  id: string
  type: string
  customerId?: string
  reason?: string
  receivedAt: string
}): WorkItem {
  return {
    id: `unmatched_webhook:${e.id}`,
    kind: 'unmatched_webhook',
    category: recoverability('dead_letter', false),
    system: 'stripe',
    code: 'customer_not_linked',
    message: `${e.type}: ${e.reason ?? 'the customer maps to no Salesforce account'}`,
    since: e.receivedAt,
    ids: { salesforce: [], stripe: present([e.id, e.customerId]), netsuite: [] },
    ref: e.id,
  }
}

/** A Salesforce record the OrgWriter parked, or is retrying. */
export function writerItem(r: TroubledRecord): WorkItem {
  const ref = `${r.object}/${r.externalId}`
  return {
    id: `writer_record:${ref}`,
    kind: 'writer_record',
    category: recoverability(r.nextAttemptAt ? 'retry' : 'park', false),
    system: 'salesforce',
    code: r.code,
    message: `${r.object} ${r.externalId}: ${r.message}`,
    since: r.since,
    nextAttemptAt: r.nextAttemptAt,
    accountId: r.accountId,
    // A status record's external id is its amendment's id.
    amendmentId: r.object === 'Subscription_Sync__c' ? r.externalId : undefined,
    ids: { salesforce: present([r.accountId, r.externalId]), stripe: [], netsuite: [] },
    ref,
  }
}

/** An SLA alert the webhook did not take: retrying, or given up. */
export function alertDeliveryItem(d: TroubledDelivery): WorkItem {
  const [code = 'unknown', ...rest] = d.lastError.split(': ')
  return {
    id: `alert_delivery:${d.id}`,
    kind: 'alert_delivery',
    category: recoverability(d.state === 'pending' ? 'retry' : 'dead_letter', false),
    system: 'worker',
    code,
    message: `alert ${d.rule} (${d.subject}) not delivered after ${d.attempts} attempt(s): ${rest.join(': ')}`,
    since: d.since,
    nextAttemptAt: d.nextAttemptAt,
    ids: { salesforce: [], stripe: [], netsuite: [] },
    ref: String(d.id),
  }
}

/**
 * A CometD gap: the stored replay id was past Salesforce's retention, so events between
 * `afterEventAt` and the resubscription may be lost. A person reconciles (backfill, or replay
 * from what is still retained) and acknowledges it.
 */
export function gapItem(g: {
  id: number
  channel: string
  detectedAt: string
  afterReplayId: number
  afterEventAt?: string
  serverError: string
}): WorkItem {
  return {
    id: `subscriber_gap:${g.id}`,
    kind: 'subscriber_gap',
    category: recoverability('dead_letter', false),
    system: 'salesforce',
    code: 'replay_id_expired',
    message: `${g.channel}: events after replay id ${g.afterReplayId}${g.afterEventAt ? ` (${g.afterEventAt})` : ''} may be lost; Salesforce said ${g.serverError}`,
    since: g.detectedAt,
    ids: { salesforce: [String(g.afterReplayId)], stripe: [], netsuite: [] },
    ref: String(g.id),
  }
}
