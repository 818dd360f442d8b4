import { ConnectorError } from '../../failure/errors.ts'
import type { AccountProfile, SalesforceSink, SyncStatus } from '../types.ts'
import type { SalesforceClient } from './client.ts'
import { upsertOps, type UpsertResult } from './collections.ts'
import type { CompositeOp } from './composite.ts'
import { connectorError, errorFromResponse, errorItems } from './errors.ts'
import { appliedMirrorOp, mirrorUpdates, type MirrorOutcome } from './mirror.ts'
import {
  accountLookup,
  ACCOUNT_CURRENCY_FIELD,
  ACCOUNT_LEGAL_ENTITY,
  ACCOUNT_STANDARD_FIELDS,
  syncStatusRecord,
} from './records.ts'

/** Record errors that mean the `Account__c` value itself is refused (deleted, merged, wrong type). */
const ACCOUNT_LOOKUP_CODES = new Set([
  'INVALID_CROSS_REFERENCE_KEY',
  'ENTITY_IS_DELETED',
  'FIELD_INTEGRITY_EXCEPTION',
  'MALFORMED_ID',
])

type StatusReport = Awaited<ReturnType<SalesforceSink['reportStatuses']>>

/**
 * The saga's view of Salesforce: reads the Account a customer is created from, and writes
 * each amendment's `Subscription_Sync__c` with its subscription's `Billing_Subscription__c`
 * mirror, a batch in one API call.
 */
export class SalesforceConnector implements SalesforceSink {
  readonly client: SalesforceClient
  /** Learned from the org: false once `CurrencyIsoCode` proved absent (multi-currency off). */
  private multiCurrency: boolean | undefined

  constructor(client: SalesforceClient) {
    this.client = client
  }

  /**
   * Reads Name, billing address, `CurrencyIsoCode` (multi-currency orgs) and
   * `Concord_Legal_Entity__c`. One API call (two, once, in an org without multi-currency).
   * @throws ConnectorError business `account_not_found` for a missing, deleted or malformed
   * Account id; otherwise classified from Salesforce's answer.
   */
  async readAccount(accountId: string, _correlationId: string): Promise<AccountProfile> {
    const id = accountLookup(accountId)
    if (!id) throw notFound(accountId)
    const withCurrency = this.multiCurrency !== false
    const fields = [
      ...ACCOUNT_STANDARD_FIELDS,
      ACCOUNT_LEGAL_ENTITY,
      ...(withCurrency ? [ACCOUNT_CURRENCY_FIELD] : []),
    ]
    const res = await this.client.send('GET', `/sobjects/Account/${id}?fields=${fields.join(',')}`)
    if (res.status === 404) throw notFound(accountId)
    if (
      withCurrency &&
      res.status === 400 &&
      errorItems(res.json).some(
        (e) => e.code === 'INVALID_FIELD' && e.message.includes(ACCOUNT_CURRENCY_FIELD),
      )
    ) {
      this.multiCurrency = false
      return this.readAccount(accountId, _correlationId)
    }
    if (res.status !== 200) throw errorFromResponse(res)
    if (withCurrency) this.multiCurrency = true
    return accountProfile(id, (res.json ?? {}) as Record<string, unknown>)
  }

  /**
   * Upserts `Subscription_Sync__c` by `External_Id__c` (the amendment id) for every status, and
   * moves each subscription's `Billing_Subscription__c.Applied_Sequence__c` forward for applied
   * ones (never backward: see mirror.ts), all in one Composite request for up to 200 statuses
   * and four subscriptions. A status whose `Account__c` is refused (Account deleted or merged) is
   * written again without the lookup, so it stays visible: one more call, only then.
   * An amendment is delivered when its status record is written and its mirror is current.
   */
  async reportStatuses(statuses: SyncStatus[]): Promise<StatusReport> {
    if (statuses.length === 0) return { delivered: [], failed: [] }
    const { results, mirrors } = await this.write(statuses, true)
    const retry = statuses
      .map((_, i) => i)
      .filter(
        (i) => lookupRefused(results[i]) && accountLookup((statuses[i] as SyncStatus).accountId),
      )
    if (retry.length > 0) {
      const again = await this.write(
        retry.map((i) => statuses[i] as SyncStatus),
        false,
      )
      retry.forEach((i, n) => (results[i] = again.results[n] as UpsertResult))
    }
    const report: StatusReport = { delivered: [], failed: [] }
    statuses.forEach((status, i) => {
      const sync = results[i] as UpsertResult
      const mirror = status.status === 'applied' ? mirrors.get(status.subscriptionKey) : undefined
      if (!sync.ok) report.failed.push({ amendmentId: status.amendmentId, error: sync.error })
      else if (mirror && !mirror.ok)
        report.failed.push({
          amendmentId: status.amendmentId,
          error: mirrorError(status.subscriptionKey, mirror.error),
        })
      else report.delivered.push(status.amendmentId)
    })
    return report
  }

  /** Status records (with the mirror updates when `withMirrors`) in as few Composites as fit. */
  private async write(
    statuses: readonly SyncStatus[],
    withMirrors: boolean,
  ): Promise<{ results: UpsertResult[]; mirrors: Map<string, MirrorOutcome> }> {
    const records = statuses.map((s) => syncStatusRecord(s, { withAccount: withMirrors }))
    const sync = upsertOps([
      { object: 'Subscription_Sync__c', externalIdField: 'External_Id__c', records },
    ])
    const updates = withMirrors ? mirrorUpdates(statuses) : []
    const ops: CompositeOp<UpsertResult[] | MirrorOutcome>[] = [
      ...sync.ops,
      ...updates.map(appliedMirrorOp),
    ]
    const outcomes = await this.client.composite(ops)
    const mirrors = new Map(
      updates.map((m, n) => [m.subscriptionKey, outcomes[sync.ops.length + n] as MirrorOutcome]),
    )
    const [results] = sync.assemble(outcomes.slice(0, sync.ops.length) as UpsertResult[][])
    return { results: results as UpsertResult[], mirrors }
  }
}

function lookupRefused(result: UpsertResult | undefined): boolean {
  return !!result && !result.ok && ACCOUNT_LOOKUP_CODES.has(result.error.code)
}

function mirrorError(subscriptionKey: string, error: ConnectorError): ConnectorError {
  return new ConnectorError({
    category: error.category,
    system: error.system,
    code: error.code,
    message: `Billing_Subscription__c ${subscriptionKey}: ${error.message}`,
    status: error.status,
    retryAfterMs: error.retryAfterMs,
  })
}

function notFound(accountId: string): ConnectorError {
  return connectorError(
    'business',
    'account_not_found',
    `Salesforce Account ${accountId.slice(0, 18)} was not found`,
    404,
  )
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v : undefined

function accountProfile(accountId: string, row: Record<string, unknown>): AccountProfile {
  const address = {
    street: text(row.BillingStreet),
    city: text(row.BillingCity),
    postalCode: text(row.BillingPostalCode),
    state: text(row.BillingState),
    country: text(row.BillingCountry),
  }
  const present = Object.fromEntries(
    Object.entries(address).filter(([, v]) => v !== undefined),
  ) as AccountProfile['billingAddress']
  const profile: AccountProfile = { accountId, name: text(row.Name) ?? '' }
  const currency = text(row[ACCOUNT_CURRENCY_FIELD])
  if (currency) profile.currency = currency
  const legalEntity = text(row[ACCOUNT_LEGAL_ENTITY])
  if (legalEntity) profile.legalEntity = legalEntity
  if (present && Object.keys(present).length > 0) profile.billingAddress = present
  return profile
}
