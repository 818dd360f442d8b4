import type { AccountProfile, CustomerMatch, StepContext } from '../types.ts'
import type { NetsuiteClient } from './client.ts'
import { checkChosen, findCustomer } from './customer-match.ts'
import { customerExternalId } from './external-ids.ts'
import { business, upsertByExternalId } from './records.ts'
import { sq, suiteql, suiteqlAll } from './suiteql.ts'

/**
 * Custom entity fields the account needs (Customization > Lists, Records & Fields > Entity
 * Fields, free-form text, applied to Customer): the billing customer id links the ERP customer
 * to Stripe, the correlation id ties the customer to the amendment that created it.
 */
export const CUSTOMER_FIELDS = {
  billingCustomerId: 'custentity_concord_stripe_customer_id',
  correlationId: 'custentity_concord_correlation_id',
} as const

/** NetSuite's Company Name holds at most 83 characters. */
const COMPANY_NAME_MAX = 83

export interface CustomerDeps {
  client: NetsuiteClient
  subsidiaryRules: Record<string, string>
  writeAddress: boolean
}

/** Subsidiary internal id for the Account's `Concord_Legal_Entity__c`, else the `*` rule. */
export function subsidiaryFor(
  rules: Record<string, string>,
  legalEntity: string | undefined,
): string {
  const id = (legalEntity !== undefined ? rules[legalEntity] : undefined) ?? rules['*']
  if (!id) {
    throw business(
      'no_subsidiary_rule',
      `No NetSuite subsidiary is configured for legal entity "${legalEntity ?? '(none)'}" and there is no "*" rule.`,
    )
  }
  return id
}

const currencyIds = new Map<string, string>()

/**
 * The internal id of the currency whose ISO code is `iso` (the currency record's `symbol`),
 * cached for the isolate's life: currencies are set up once per account.
 */
export async function currencyId(client: NetsuiteClient, iso: string): Promise<string> {
  const code = iso.toUpperCase()
  const key = `${client.baseUrl}\n${code}`
  const hit = currencyIds.get(key)
  if (hit) return hit
  const rows = await suiteqlAll(
    client,
    suiteql`SELECT id FROM currency WHERE UPPER(symbol) = ${sq.str(code)}`,
  )
  const id = rows[0]?.id
  if (!id) throw business('unknown_currency', `NetSuite has no currency with ISO code ${code}.`)
  currencyIds.set(key, id)
  return id
}

type Address = NonNullable<AccountProfile['billingAddress']>

/** One default billing/shipping address line of the customer's `addressBook` sublist. */
function addressLine(address: Address): Record<string, unknown> | undefined {
  const streets = (address.street ?? '')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean)
  const fields: Record<string, unknown> = {}
  streets.slice(0, 3).forEach((line, i) => (fields[`addr${i + 1}`] = line))
  if (address.city) fields.city = address.city
  if (address.state) fields.state = address.state
  if (address.postalCode) fields.zip = address.postalCode
  // Country is a list in NetSuite keyed by ISO code; Salesforce may hold a name instead: send
  // only what is a code rather than guess.
  if (address.country && /^[A-Za-z]{2}$/.test(address.country.trim()))
    fields.country = { id: address.country.trim().toUpperCase() }
  if (Object.keys(fields).length === 0) return undefined
  return {
    defaultBilling: true,
    defaultShipping: true,
    label: 'Billing',
    addressBookAddress: fields,
  }
}

type ErpAccount = AccountProfile & { billingCustomerId: string }

/**
 * The ERP customer of an Account, found before created: the one with the Account's external id
 * is brought up to date; else the one of an Account merged into it is taken as it is; else the
 * one unclaimed customer of the Account's name (or the one an
 * operator chose) is linked, keeping its own record and subsidiary but taking the Account's
 * external id; else it is created (`upsertCustomer`).
 * @throws ConnectorError (business `ambiguous_customer`, a missing subsidiary rule, an unknown
 * currency or a refusal)
 */
export async function ensureCustomer(
  deps: CustomerDeps,
  account: ErpAccount,
  ctx: StepContext,
  chosen?: string,
): Promise<{ customerId: string; subsidiaryId?: string; match: CustomerMatch }> {
  const externalId = account.erpExternalId ?? customerExternalId(account.accountId)
  const found = chosen
    ? {
        customerId: chosen,
        match: 'chosen' as const,
        ...(await checkChosen(deps.client, chosen, externalId)),
      }
    : await findCustomer(deps.client, externalId, account.name, account.mergedAccountIds)
  if (!found || found.match === 'account')
    return { ...(await upsertCustomer(deps, account, ctx)), match: found ? 'account' : 'created' }
  // A merged Account's customer keeps its external id, as one the merge handed over does.
  if (found.match === 'merged') return found
  await deps.client.send({
    method: 'PATCH',
    path: `/services/rest/record/v1/customer/${found.customerId}`,
    body: {
      externalId,
      [CUSTOMER_FIELDS.billingCustomerId]: account.billingCustomerId,
      [CUSTOMER_FIELDS.correlationId]: ctx.correlationId,
    },
    what: `the link of customer ${found.customerId} to its Account`,
  })
  return found
}

/**
 * Creates or updates the ERP customer of an Account: `PUT /record/v1/customer/eid:<account id>`.
 * Safe to repeat: the same profile and context write the same content (NetSuite's noop).
 * @throws ConnectorError (business for a missing subsidiary rule, unknown currency or a refusal)
 */
async function upsertCustomer(
  deps: CustomerDeps,
  account: ErpAccount,
  ctx: StepContext,
): Promise<{ customerId: string; subsidiaryId: string }> {
  const subsidiaryId = subsidiaryFor(deps.subsidiaryRules, account.legalEntity)
  const body: Record<string, unknown> = {
    isPerson: false,
    companyName: account.name.trim().slice(0, COMPANY_NAME_MAX),
    subsidiary: { id: subsidiaryId },
    [CUSTOMER_FIELDS.billingCustomerId]: account.billingCustomerId,
    [CUSTOMER_FIELDS.correlationId]: ctx.correlationId,
  }
  if (account.currency) body.currency = { id: await currencyId(deps.client, account.currency) }
  const replace: string[] = []
  const address =
    deps.writeAddress && account.billingAddress ? addressLine(account.billingAddress) : undefined
  if (address) {
    // addressBook is a keyed sublist: without replace, every retry would add the address again.
    body.addressBook = { items: [address] }
    replace.push('addressBook')
  }
  const customerId = await upsertByExternalId(
    deps.client,
    'customer',
    account.erpExternalId ?? customerExternalId(account.accountId),
    body,
    replace,
  )
  return { customerId, subsidiaryId }
}
