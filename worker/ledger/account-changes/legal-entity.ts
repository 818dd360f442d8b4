import type { Config } from '../../config/types.ts'
import { subsidiaryFor } from '../../connectors/netsuite/customers.ts'
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
  const rules = config.netsuite.status === 'ok' ? config.netsuite.settings.subsidiaryRules : {}
  let next: string
  try {
    next = subsidiaryFor(rules, change.legalEntity ?? undefined)
  } catch (err) {
    if (err instanceof ConnectorError) return { status: 'rejected', message: err.message }
    throw err
  }
  sql.exec("INSERT INTO meta (key, value) VALUES (?, '1')", seen)
  // Routing follows the change Salesforce reported, whatever a later read of the Account says.
  sql.exec(
    "INSERT OR REPLACE INTO meta (key, value) VALUES ('erp_external_id_entity', ?)",
    change.legalEntity ?? '',
  )
  journal.audit({
    actor: 'salesforce',
    action: 'legal_entity_changed',
    detail: { legalEntity: change.legalEntity, subsidiary: next },
  })
  const x = journal.xref()
  if (!x.erp_customer_id || x.erp_subsidiary_id === next)
    return { status: 'unchanged', flagged: [] }
  // Open subscriptions keep the customer they were ordered under; new ones get the new one.
  sql.exec(
    'UPDATE subscription SET erp_customer_id = COALESCE(erp_customer_id, ?)',
    x.erp_customer_id,
  )
  journal.saveXref({ erp_customer_id: null, erp_subsidiary_id: null })
  sql.exec(
    "INSERT OR REPLACE INTO meta (key, value) VALUES ('erp_external_id', ?)",
    reparentedExternalId(journal.accountId, next),
  )
  const open = sql
    .exec<{ key: string; erp: string | null; billing: string | null }>(
      `SELECT key, erp_customer_id AS erp, billing_subscription_id AS billing FROM subscription
       WHERE billing_subscription_id IS NOT NULL AND COALESCE(status, '') <> 'canceled'`,
    )
    .toArray()
  for (const sub of open)
    flag(sql, journal, sub, { from: x.erp_subsidiary_id, to: next, eventId: change.eventId })
  return { status: 'queued', flagged: open.map((s) => s.key) }
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
