import type { ConnectorError } from '../../failure/errors.ts'
import type { AccountProfile, SalesforceSink } from '../types.ts'
import { AccountId, type SalesforceFieldName } from '../../../shared/index.ts'
import type { SalesforceClient } from './client.ts'
import { connectorError, errorFromResponse, errorItems } from './errors.ts'

/** The Account fields `readAccount` reads: standard ones plus the schema's legal entity. */
const ACCOUNT_STANDARD_FIELDS = [
  'Id',
  'Name',
  'BillingStreet',
  'BillingCity',
  'BillingState',
  'BillingPostalCode',
  'BillingCountry',
] as const
const ACCOUNT_LEGAL_ENTITY: SalesforceFieldName<'Account'> = 'Concord_Legal_Entity__c'
/** The package's tax fields on Account (shared/salesforce-schema.ts, the tax block). */
const ACCOUNT_TAX_FIELDS: SalesforceFieldName<'Account'>[] = [
  'Tax_Exempt__c',
  'Tax_Id__c',
  'Tax_Id_Type__c',
]

const ACCOUNT_EMAIL: SalesforceFieldName<'Account'> = 'Concord_Billing_Email__c'
/** Present only where multi-currency is on; asking for it elsewhere is INVALID_FIELD. */
const ACCOUNT_CURRENCY_FIELD = 'CurrencyIsoCode'

/**
 * The saga's view of Salesforce: reads the Account a customer is created from. (Everything the
 * worker writes to Salesforce goes through the OrgWriter.)
 */
export class SalesforceConnector implements SalesforceSink {
  readonly client: SalesforceClient
  /** Learned from the org: false once `CurrencyIsoCode` proved absent (multi-currency off). */
  private multiCurrency: boolean | undefined

  constructor(client: SalesforceClient) {
    this.client = client
  }

  /**
   * Reads Name, billing address, `CurrencyIsoCode` (multi-currency orgs),
   * `Concord_Legal_Entity__c`, `Concord_Billing_Email__c` and the tax fields (`Tax_Exempt__c`, `Tax_Id__c`, `Tax_Id_Type__c`). One API call (two, once, in an org without multi-currency).
   * @throws ConnectorError business `account_not_found` for a missing, deleted or malformed
   * Account id; otherwise classified from Salesforce's answer.
   */
  async readAccount(accountId: string, _correlationId: string): Promise<AccountProfile> {
    const parsed = AccountId.safeParse(accountId)
    if (!parsed.success) throw notFound(accountId)
    const id = parsed.data
    const withCurrency = this.multiCurrency !== false
    const fields = [
      ...ACCOUNT_STANDARD_FIELDS,
      ACCOUNT_LEGAL_ENTITY,
      ...ACCOUNT_TAX_FIELDS,
      ACCOUNT_EMAIL,
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
  const email = text(row[ACCOUNT_EMAIL])
  if (email) profile.email = email.trim()
  if (present && Object.keys(present).length > 0) profile.billingAddress = present
  const exempt = text(row.Tax_Exempt__c)
  if (exempt === 'none' || exempt === 'exempt' || exempt === 'reverse') profile.taxExempt = exempt
  const taxId = text(row.Tax_Id__c)
  const taxIdType = text(row.Tax_Id_Type__c)
  if (taxId && taxIdType) profile.taxId = { type: taxIdType.trim(), value: taxId.trim() }
  return profile
}
