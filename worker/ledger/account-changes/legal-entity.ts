import type { Config } from '../../config/types.ts'
import { subsidiaryFor } from '../../connectors/netsuite/customers.ts'
import { customerExternalId } from '../../connectors/netsuite/external-ids.ts'
import { ConnectorError } from '../../failure/errors.ts'
import type { ExceptionEntry, Journal } from '../journal.ts'

/** The action the re-parenting reviews are filed under in the exception index. */
export const REVIEW_ACTION = 'account_review'

export type LegalEntityResult =
  | { status: 'queued' | 'duplicate' | 'unchanged'; flagged: string[] }
  | { status: 'rejected'; message: string }

/** The ERP external id of the Account's customer in `subsidiaryId` after a re-parenting. */
export const reparentedExternalId = (accountId: string, subsidiaryId: string) =>
  `${accountId}-S${subsidiaryId}`

/**
 * The Account's legal entity (`Concord_Legal_Entity__c`) changed. A NetSuite customer cannot
 * change subsidiary once it has transactions, so new work goes to the Account's customer in the
 * new subsidiary (found or made by the next cross-reference step, under its own external id),
 * while each open subscription stays on the customer and subsidiary it was ordered under and is
 * flagged for review in the work queue (needs a data fix): it is never moved silently.
 */
export function changeLegalEntity(
  sql: SqlStorage,
  journal: Journal,
  config: Config,
  change: { eventId: string; legalEntity: string | null },
): LegalEntityResult {
  const seen = `legal_entity_event:${change.eventId}`
  if (sql.exec('SELECT 1 FROM meta WHERE key = ?', seen).toArray().length > 0)
    return { status: 'duplicate', flagged: [] }
  let next: string
  try {
    next = subsidiaryFor(rulesOf(config), change.legalEntity ?? undefined)
  } catch (err) {
    if (err instanceof ConnectorError) return { status: 'rejected', message: err.message }
    throw err
  }
  sql.exec("INSERT INTO meta (key, value) VALUES (?, '1')", seen)
  // Routing follows the change Salesforce reported, whatever a later read of the Account says.
  setMeta(sql, 'erp_external_id_entity', change.legalEntity ?? '')
  journal.audit({
    actor: 'salesforce',
    action: 'legal_entity_changed',
    detail: { legalEntity: change.legalEntity, subsidiary: next },
  })
  const x = journal.xref()
  // A ledger from before the home was kept: its first customer holds the plain external id.
  if (x.erp_subsidiary_id && !journal.erpExternalId())
    sql.exec(
      'INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)',
      HOME_SUBSIDIARY,
      x.erp_subsidiary_id,
    )
  // Where new work went until now: the account's customer's subsidiary, else the last change's,
  // else where its first customer was being made (its create may be in flight or unanswered).
  const before = x.erp_subsidiary_id ?? meta(sql, ROUTED) ?? meta(sql, HOME_SUBSIDIARY)
  setMeta(sql, ROUTED, next)
  if (before === undefined || before === next) return { status: 'unchanged', flagged: [] }
  if (x.erp_customer_id) {
    // Open subscriptions keep the customer they were ordered under; new ones get the new one.
    sql.exec(
      'UPDATE subscription SET erp_customer_id = COALESCE(erp_customer_id, ?)',
      x.erp_customer_id,
    )
  }
  journal.saveXref({ erp_customer_id: null, erp_subsidiary_id: null })
  setMeta(sql, 'erp_external_id', externalIdIn(sql, journal.accountId, next))
  // Open: billed, or kept on the old customer above while its create is still on its way
  // (cross-references made, billing not yet answered): it will be ordered in the old subsidiary.
  const open = sql
    .exec<{ key: string; erp: string | null; billing: string | null }>(
      `SELECT key, erp_customer_id AS erp, billing_subscription_id AS billing FROM subscription
       WHERE (billing_subscription_id IS NOT NULL OR erp_customer_id IS NOT NULL)
         AND COALESCE(status, '') <> 'canceled'`,
    )
    .toArray()
  for (const sub of open)
    flag(sql, journal, sub, { from: before, to: next, eventId: change.eventId })
  return { status: 'queued', flagged: open.map((s) => s.key) }
}

const rulesOf = (config: Config) =>
  config.netsuite.status === 'ok' ? config.netsuite.settings.subsidiaryRules : {}

/** The subsidiary `legalEntity` routes to, or undefined where no rule names one. */
export function routedSubsidiary(config: Config, legalEntity: string | undefined) {
  try {
    return subsidiaryFor(rulesOf(config), legalEntity)
  } catch (err) {
    if (err instanceof ConnectorError) return undefined
    throw err
  }
}

/** The meta key of the subsidiary new work was last routed to by a change. */
const ROUTED = 'erp_routed_subsidiary'

/** The meta key of the subsidiary the account's first ERP customer (plain external id) is in. */
const HOME_SUBSIDIARY = 'erp_home_subsidiary'

/**
 * The external id of the Account's customer in `subsidiaryId`: the plain account id in the
 * subsidiary its first customer was made in, `<account>-S<id>` elsewhere. One per subsidiary, so
 * a change back (A → B → A) or on before new work was done (A → B → C) finds the customer it
 * already has there instead of making a second one.
 */
function externalIdIn(sql: SqlStorage, accountId: string, subsidiaryId: string): string {
  return meta(sql, HOME_SUBSIDIARY) === subsidiaryId
    ? customerExternalId(accountId)
    : reparentedExternalId(accountId, subsidiaryId)
}

function meta(sql: SqlStorage, key: string): string | undefined {
  return sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0]
    ?.value
}

function setMeta(sql: SqlStorage, key: string, value: string): void {
  sql.exec('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', key, value)
}

function flag(
  sql: SqlStorage,
  journal: Journal,
  sub: { key: string; erp: string | null; billing: string | null },
  move: { from: string | null; to: string; eventId: string },
): void {
  const entry: ExceptionEntry = {
    amendmentId: `review:${journal.accountId}:${sub.key}:${move.eventId}`,
    accountId: journal.accountId,
    subscriptionKey: sub.key,
    sequence: 0,
    action: REVIEW_ACTION,
    state: 'parked',
    code: 'legal_entity_changed',
    message: `The Account moved to NetSuite subsidiary ${move.to}; subscription ${sub.key} stays on customer ${sub.erp ?? '?'} in subsidiary ${move.from ?? '?'} until someone moves or closes it there.`,
    correlationId: move.eventId,
    updatedAt: new Date().toISOString(),
    billingRef: sub.billing ?? undefined,
    erpCustomerId: sub.erp ?? undefined,
  }
  sql.exec(
    'INSERT OR REPLACE INTO index_outbox (amendment_id, entry) VALUES (?, ?)',
    entry.amendmentId,
    JSON.stringify(entry),
  )
}
