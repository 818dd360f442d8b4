import { SalesforceApiError } from './errors.ts'
import type { Org } from './org.ts'
import { assignPermissionSet } from './permissions.ts'
import { Tx } from './store.ts'
import { parseRecord } from './validate.ts'

/** Demo Accounts: names, billing addresses, legal entity (picks the ERP subsidiary), currency. */
export const DEMO_ACCOUNTS = [
  {
    Name: 'Kestrel Analytics Inc.',
    BillingStreet: '410 Harbor Way, Suite 300',
    BillingCity: 'San Francisco',
    BillingState: 'CA',
    BillingPostalCode: '94107',
    BillingCountry: 'United States',
    CurrencyIsoCode: 'USD',
    Concord_Legal_Entity__c: 'US-INC',
  },
  {
    Name: 'Blue Harbor Foods Ltd',
    BillingStreet: '12 Wharf Road',
    BillingCity: 'London',
    BillingPostalCode: 'N1 7GR',
    BillingCountry: 'United Kingdom',
    CurrencyIsoCode: 'GBP',
    Concord_Legal_Entity__c: 'UK-LTD',
  },
  {
    Name: 'Tessellate Robotik GmbH',
    BillingStreet: 'Lindenstraße 44',
    BillingCity: 'Berlin',
    BillingPostalCode: '10969',
    BillingCountry: 'Germany',
    CurrencyIsoCode: 'EUR',
    Concord_Legal_Entity__c: 'EU-GMBH',
  },
  {
    Name: 'Pacific Loom Co.',
    BillingStreet: '88 Queen Street West',
    BillingCity: 'Toronto',
    BillingState: 'ON',
    BillingPostalCode: 'M5H 2M9',
    BillingCountry: 'Canada',
    CurrencyIsoCode: 'CAD',
    Concord_Legal_Entity__c: 'US-INC',
  },
  {
    Name: 'Marigold Clinics SAS',
    BillingStreet: '7 Rue des Tanneurs',
    BillingCity: 'Lyon',
    BillingPostalCode: '69002',
    BillingCountry: 'France',
    CurrencyIsoCode: 'EUR',
    Concord_Legal_Entity__c: 'EU-GMBH',
  },
] as const

/** Demo subscriptions, by the index of their Account in DEMO_ACCOUNTS. */
export const DEMO_SUBSCRIPTIONS = [
  {
    account: 0,
    Subscription_Key__c: 'SUB-KESTREL-1',
    External_Id__c: 'sub_demo_kestrel_1',
    Price_Key__c: 'pro-monthly-usd',
    Quantity__c: 25,
    Status__c: 'active',
    Currency_Iso__c: 'USD',
    Last_Sequence__c: 1,
    Applied_Sequence__c: 1,
    Current_Period_End__c: '2026-12-01',
  },
  {
    account: 0,
    Subscription_Key__c: 'SUB-KESTREL-2',
    External_Id__c: 'sub_demo_kestrel_2',
    Price_Key__c: 'analytics-addon-annual-usd',
    Quantity__c: 5,
    Status__c: 'active',
    Currency_Iso__c: 'USD',
    Last_Sequence__c: 2,
    Applied_Sequence__c: 2,
    Current_Period_End__c: '2027-03-15',
  },
  {
    account: 1,
    Subscription_Key__c: 'SUB-BLUEHARBOR-1',
    External_Id__c: 'sub_demo_blueharbor_1',
    Price_Key__c: 'pro-monthly-gbp',
    Quantity__c: 40,
    Status__c: 'past_due',
    Currency_Iso__c: 'GBP',
    Last_Sequence__c: 3,
    Applied_Sequence__c: 3,
    Current_Period_End__c: '2026-11-28',
  },
  {
    account: 2,
    Subscription_Key__c: 'SUB-TESSELLATE-1',
    External_Id__c: 'sub_demo_tessellate_1',
    Price_Key__c: 'enterprise-annual-eur',
    Quantity__c: 120,
    Status__c: 'active',
    Currency_Iso__c: 'EUR',
    Last_Sequence__c: 1,
    Applied_Sequence__c: 1,
    Current_Period_End__c: '2027-01-31',
  },
  {
    account: 3,
    Subscription_Key__c: 'SUB-PACIFICLOOM-1',
    Price_Key__c: 'starter-monthly-cad',
    Quantity__c: 10,
    Status__c: 'pending',
    Currency_Iso__c: 'CAD',
    Last_Sequence__c: 1,
    Applied_Sequence__c: 0,
  },
] as const

/**
 * Demo products, the Salesforce side of the demo catalog (test/stack/demo.ts): Product2 by
 * ProductCode, a Standard Price Book list price per currency (major units).
 */
export const DEMO_PRODUCTS: Array<{ code: string; name: string; prices: Record<string, number> }> =
  [
    { code: 'PRO-SEAT-M', name: 'Pro seat (monthly)', prices: { USD: 50, GBP: 40 } },
    { code: 'PRO-SEAT-A', name: 'Pro seat (annual)', prices: { USD: 500 } },
    { code: 'TEAM-SEAT-M', name: 'Team seat (monthly)', prices: { USD: 20 } },
    { code: 'ENTERPRISE-A', name: 'Enterprise platform (annual)', prices: { EUR: 12000 } },
  ]

/** What `seed` made: Account ids in DEMO_ACCOUNTS order, subscription ids by Subscription_Key__c. */
export interface SeedResult {
  accounts: Record<string, string>
  accountIds: string[]
  subscriptions: Record<string, string>
}

/**
 * Loads the demo org through the same validation as API writes. Idempotent: Accounts are
 * matched by Name, subscriptions by Subscription_Key__c, so seeding twice changes nothing.
 * @throws SalesforceApiError when a demo row no longer fits the schema.
 */
export function seedDemoOrg(org: Org): SeedResult {
  const account = org.catalog.get('Account')
  const subscription = org.catalog.get('Billing_Subscription__c')
  if (!account || !subscription)
    throw new SalesforceApiError(500, 'UNKNOWN_EXCEPTION', 'demo objects missing from the schema')
  const tx = new Tx()
  const userId = org.users.get('rep@concord.example') ?? org.integrationUserId
  const result: SeedResult = { accounts: {}, accountIds: [], subscriptions: {} }
  for (const row of DEMO_ACCOUNTS) {
    const existing = [...org.store.table('Account').values()].find(
      (r) => r.values.Name === row.Name,
    )
    const rec = existing ?? org.store.insert(tx, account, checked(org, 'Account', row), userId)
    result.accounts[row.Name] = rec.Id
    result.accountIds.push(rec.Id)
  }
  for (const { account: index, ...row } of DEMO_SUBSCRIPTIONS) {
    const existing = org.store.findBy(subscription, 'Subscription_Key__c', row.Subscription_Key__c)
    const values = {
      ...checked(org, 'Billing_Subscription__c', row),
      Account__c: result.accountIds[index],
    }
    const rec = existing ?? org.store.insert(tx, subscription, values, userId)
    result.subscriptions[row.Subscription_Key__c] = rec.Id
  }
  seedProducts(org, tx, userId)
  tx.undo.length = 0
  for (const username of org.auth.config.usernames)
    assignPermissionSet(org, username, 'Concord_Integration')
  assignPermissionSet(org, 'rep@concord.example', 'Concord_Sales')
  return result
}

/** DEMO_PRODUCTS with their standard list prices; a product already there (by code) is kept. */
function seedProducts(org: Org, tx: Tx, userId: string): void {
  const product = org.catalog.get('Product2')
  const entry = org.catalog.get('PricebookEntry')
  const book = [...org.store.table('Pricebook2').values()].find((r) => r.values.IsStandard === true)
  if (!product || !entry || !book) return
  for (const p of DEMO_PRODUCTS) {
    const products = [...org.store.table('Product2').values()]
    if (products.some((r) => r.values.ProductCode === p.code)) continue
    const values = { Name: p.name, ProductCode: p.code, IsActive: true }
    const rec = org.store.insert(tx, product, checked(org, 'Product2', values), userId)
    for (const [currency, unitPrice] of Object.entries(p.prices)) {
      const row = {
        Pricebook2Id: book.Id,
        Product2Id: rec.Id,
        UnitPrice: unitPrice,
        IsActive: true,
        CurrencyIsoCode: currency,
      }
      org.store.insert(tx, entry, checked(org, 'PricebookEntry', row), userId)
    }
  }
}

function checked(org: Org, object: string, raw: Record<string, unknown>): Record<string, unknown> {
  const obj = org.catalog.get(object)
  if (!obj) throw new SalesforceApiError(500, 'UNKNOWN_EXCEPTION', `no ${object}`)
  const parsed = parseRecord(org.catalog, obj, raw)
  const problem = parsed.errors[0]
  if (problem)
    throw new SalesforceApiError(500, problem.statusCode, `demo ${object} row: ${problem.message}`)
  return parsed.values
}
