import type { ConnectorError } from '../../failure/errors.ts'
import type { SyncStatus } from '../types.ts'
import { soqlQuote } from './client.ts'
import { subrequestError, type CompositeOp, type SubResponse } from './composite.ts'
import { errorItems } from './errors.ts'
import { accountLookup, sobject, textLength, type SObjectFields } from './records.ts'

/** `Billing_Subscription__c.Applied_Sequence__c` should reach `sequence` for this subscription. */
export interface MirrorUpdate {
  subscriptionKey: string
  sequence: number
  /** The Account the mirror is created under when it does not exist yet. */
  accountId?: string
}

export type MirrorOutcome =
  { ok: true; change: 'created' | 'advanced' | 'current' } | { ok: false; error: ConnectorError }

const OBJECT = 'Billing_Subscription__c'

/**
 * The mirror updates a batch of statuses implies: one per subscription, the highest applied
 * sequence in the batch (a collection may not name one key twice, and the highest wins anyway).
 * Only `applied` moves `Applied_Sequence__c`: parked, rejected and superseded amendments were
 * not applied.
 */
export function mirrorUpdates(statuses: readonly SyncStatus[]): MirrorUpdate[] {
  const max = textLength(OBJECT, 'Subscription_Key__c') ?? 80
  const byKey = new Map<string, MirrorUpdate>()
  for (const s of statuses) {
    if (
      s.status !== 'applied' ||
      !s.subscriptionKey ||
      s.subscriptionKey.length > max ||
      !Number.isInteger(s.sequence)
    )
      continue
    const seen = byKey.get(s.subscriptionKey)
    if (!seen || s.sequence > seen.sequence)
      byKey.set(s.subscriptionKey, {
        subscriptionKey: s.subscriptionKey,
        sequence: s.sequence,
        accountId: s.accountId,
      })
  }
  return [...byKey.values()]
}

/**
 * Moves `Applied_Sequence__c` forward only, in one Composite request with the status records:
 *
 * 1. create the mirror `{Subscription_Key__c, Account__c, Applied_Sequence__c, Last_Sequence__c}`
 *    — normally refused with DUPLICATE_VALUE because `AmendmentPublisher` created it with the
 *    `create` amendment; a create never re-parents an existing mirror, which an upsert carrying
 *    `Account__c` would. `Last_Sequence__c` starts at the applied sequence so a later Apex
 *    amendment does not reuse a number.
 * 2. query its Id only if `Applied_Sequence__c` is behind (`= null OR < N`),
 * 3. PATCH that Id through a reference; when the query found nothing the reference does not
 *    resolve and Salesforce skips the PATCH, so a retried older status never moves it back.
 *
 * One query per subscription (a "heavy" subrequest), so up to four subscriptions ride with one
 * status collection; more take further Composite requests.
 */
export function appliedMirrorOp(update: MirrorUpdate): CompositeOp<MirrorOutcome> {
  const account = update.accountId ? accountLookup(update.accountId) : undefined
  const created: SObjectFields<typeof OBJECT> = {
    Subscription_Key__c: update.subscriptionKey,
    ...(account ? { Account__c: account } : {}),
    Applied_Sequence__c: update.sequence,
    Last_Sequence__c: update.sequence,
  }
  const soql =
    `SELECT Id FROM ${OBJECT} WHERE Subscription_Key__c = ${soqlQuote(update.subscriptionKey)}` +
    ` AND (Applied_Sequence__c = null OR Applied_Sequence__c < ${update.sequence}) LIMIT 1`
  return {
    size: 3,
    heavy: 1,
    build: (prefix, dataPath) => [
      {
        method: 'POST',
        url: dataPath(`/sobjects/${OBJECT}`),
        referenceId: `${prefix}create`,
        body: sobject(OBJECT, created),
      },
      {
        method: 'GET',
        url: dataPath(`/query?q=${encodeURIComponent(soql)}`),
        referenceId: `${prefix}behind`,
      },
      {
        method: 'PATCH',
        url: dataPath(`/sobjects/${OBJECT}/@{${prefix}behind.records[0].Id}`),
        referenceId: `${prefix}advance`,
        body: { Applied_Sequence__c: update.sequence } satisfies SObjectFields<typeof OBJECT>,
      },
    ],
    read: ([create, behind, advance]) =>
      readMirror(create as SubResponse, behind as SubResponse, advance as SubResponse),
    fail: (error) => ({ ok: false, error }),
  }
}

function readMirror(create: SubResponse, behind: SubResponse, advance: SubResponse): MirrorOutcome {
  if (create.httpStatusCode < 300) return { ok: true, change: 'created' }
  if (behind.httpStatusCode >= 300) return { ok: false, error: subrequestError(behind) }
  const rows = (behind.body as { records?: unknown[] } | undefined)?.records ?? []
  if (rows.length > 0)
    return advance.httpStatusCode < 300
      ? { ok: true, change: 'advanced' }
      : { ok: false, error: subrequestError(advance) }
  // Nothing behind: the mirror exists at or past this sequence (the create said DUPLICATE_VALUE),
  // or it does not exist and could not be created (the create's own error says why).
  const exists = errorItems(create.body).some((e) => e.code === 'DUPLICATE_VALUE')
  return exists ? { ok: true, change: 'current' } : { ok: false, error: subrequestError(create) }
}
