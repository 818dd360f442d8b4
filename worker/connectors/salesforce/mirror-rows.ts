import type { SalesforceClient } from './client.ts'
import { soqlQuote } from './client.ts'

/** One `Billing_Subscription__c` row as Salesforce holds it now. */
export interface MirrorRow {
  id: string
  accountId: string | null
  subscriptionKey: string | null
  externalId: string | null
  status: string | null
  quantity: number | null
  priceKey: string | null
  currentPeriodEnd: string | null
  currency: string | null
  lastModifiedById: string
  /** ISO 8601, as Salesforce stamps every change of the row. */
  systemModstamp: string
}

/** One page of rows and where the next page is (`nextRecordsUrl`), if any. */
export interface RowsPage {
  rows: MirrorRow[]
  next?: string
}

const FIELDS =
  'Id, Account__c, Subscription_Key__c, External_Id__c, Status__c, Quantity__c, Price_Key__c, ' +
  'Current_Period_End__c, Currency_Iso__c, LastModifiedById, SystemModstamp'

type Raw = Record<string, unknown>
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)

function rowOf(r: Raw): MirrorRow {
  return {
    id: String(r.Id),
    accountId: text(r.Account__c),
    subscriptionKey: text(r.Subscription_Key__c),
    externalId: text(r.External_Id__c),
    status: text(r.Status__c),
    quantity: typeof r.Quantity__c === 'number' ? r.Quantity__c : null,
    priceKey: text(r.Price_Key__c),
    currentPeriodEnd: text(r.Current_Period_End__c),
    currency: text(r.Currency_Iso__c),
    lastModifiedById: text(r.LastModifiedById) ?? '',
    systemModstamp: text(r.SystemModstamp) ?? '',
  }
}

/** A SOQL datetime literal (unquoted, UTC, whole seconds). */
const soqlDateTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

/**
 * Reads of the subscription mirrors for the drift reconciler: one REST call per page (2,000
 * rows), so the caller counts calls and stops at its budget.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 */
export class MirrorRows {
  private readonly client: SalesforceClient

  constructor(client: SalesforceClient) {
    this.client = client
  }

  /**
   * The user the integration's token acts as (`GET /services/oauth2/userinfo`; Salesforce does
   * not count it against the API allocation): its writes are Concord's, any other is a person's.
   * https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_using_userinfo_endpoint.htm
   */
  async integrationUserId(): Promise<string> {
    const info = await this.client.call<{ user_id?: string }>('GET', '/services/oauth2/userinfo')
    if (!info.user_id) throw new Error('userinfo answered without a user_id')
    return info.user_id
  }

  /**
   * Rows someone other than `integrationUserId` changed after `sinceMs`, oldest change first:
   * hand edits. `SystemModstamp` is indexed and moves on every change, system ones included.
   */
  editedSince(sinceMs: number, integrationUserId: string, next?: string): Promise<RowsPage> {
    const soql =
      `SELECT ${FIELDS} FROM Billing_Subscription__c WHERE SystemModstamp > ${soqlDateTime(sinceMs)}` +
      ` AND LastModifiedById != ${soqlQuote(integrationUserId)} ORDER BY SystemModstamp`
    return this.page(soql, next)
  }

  /** Every row of these Accounts (at most 200 ids per query keeps the URL short). */
  ofAccounts(accountIds: readonly string[], next?: string): Promise<RowsPage> {
    const ids = accountIds.map(soqlQuote).join(', ')
    return this.page(
      `SELECT ${FIELDS} FROM Billing_Subscription__c WHERE Account__c IN (${ids})`,
      next,
    )
  }

  private async page(soql: string, next?: string): Promise<RowsPage> {
    const path = next ?? `/query?q=${encodeURIComponent(soql)}`
    const page = await this.client.call<{
      records?: Raw[]
      done?: boolean
      nextRecordsUrl?: string
    }>('GET', path)
    return {
      rows: (page.records ?? []).map(rowOf),
      next: page.done === false ? page.nextRecordsUrl : undefined,
    }
  }
}
