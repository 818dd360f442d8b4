import type { SalesforceClient } from './client.ts'
import { soqlQuote } from './client.ts'

/** The financial document mirrors the drift reconciler compares. */
export type DocumentObject = 'Billing_Invoice__c' | 'Billing_Payment__c'

/**
 * One `Billing_Invoice__c` or `Billing_Payment__c` row as Salesforce holds it now: the fields
 * billing owns that the reconciler compares (amounts in major units, as the records carry them).
 */
export interface DocumentRow {
  id: string
  object: DocumentObject
  externalId: string | null
  accountId: string | null
  fields: Record<string, string | number | null>
  lastModifiedById: string
  /** ISO 8601, as Salesforce stamps every change of the row. */
  systemModstamp: string
}

export interface DocumentPage {
  rows: DocumentRow[]
  next?: string
}

/** The compared fields of each object (README, "Which system owns which field"). */
export const DOCUMENT_FIELDS: Record<DocumentObject, readonly string[]> = {
  Billing_Invoice__c: ['Status__c', 'Amount_Due__c', 'Amount_Paid__c', 'Amount_Remaining__c'],
  Billing_Payment__c: ['Status__c', 'Amount__c', 'Amount_Refunded__c'],
}

type Raw = Record<string, unknown>
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)
const value = (v: unknown): string | number | null =>
  typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? v : null

const soqlDateTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

/**
 * Reads of the invoice and payment mirrors for the drift reconciler, by Account or hand-edited
 * since a stamp: one REST query per page
 * (2,000 rows), so the caller counts calls and stops at its budget.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 */
export class DocumentRows {
  private readonly client: SalesforceClient

  constructor(client: SalesforceClient) {
    this.client = client
  }

  private select(object: DocumentObject): string {
    const fields = ['Id', 'External_Id__c', 'Account__c', ...DOCUMENT_FIELDS[object]]
    return `SELECT ${[...fields, 'LastModifiedById', 'SystemModstamp'].join(', ')} FROM ${object}`
  }

  /** Every row of these Accounts (at most 200 ids per query keeps the URL short). */
  ofAccounts(object: DocumentObject, accountIds: readonly string[], next?: string) {
    const list = accountIds.map(soqlQuote).join(', ')
    return this.page(object, `${this.select(object)} WHERE Account__c IN (${list})`, next)
  }

  /** Rows someone other than `integrationUserId` changed after `sinceMs`, oldest first. */
  editedSince(object: DocumentObject, sinceMs: number, integrationUserId: string, next?: string) {
    const soql =
      `${this.select(object)} WHERE SystemModstamp > ${soqlDateTime(sinceMs)}` +
      ` AND LastModifiedById != ${soqlQuote(integrationUserId)} ORDER BY SystemModstamp`
    return this.page(object, soql, next)
  }

  private async page(object: DocumentObject, soql: string, next?: string): Promise<DocumentPage> {
    const path = next ?? `/query?q=${encodeURIComponent(soql)}`
    const page = await this.client.call<{
      records?: Raw[]
      done?: boolean
      nextRecordsUrl?: string
    }>('GET', path)
    const rows = (page.records ?? []).map((r) => ({
      id: String(r.Id),
      object,
      externalId: text(r.External_Id__c),
      accountId: text(r.Account__c),
      fields: Object.fromEntries(DOCUMENT_FIELDS[object].map((f) => [f, value(r[f])])),
      lastModifiedById: text(r.LastModifiedById) ?? '',
      systemModstamp: text(r.SystemModstamp) ?? '',
    }))
    return { rows, next: page.done === false ? page.nextRecordsUrl : undefined }
  }
}
