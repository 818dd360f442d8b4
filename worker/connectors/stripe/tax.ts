import { ConnectorError } from '../../failure/errors.ts'
import type { AccountProfile, BillingTax, StepContext } from '../types.ts'
import type { StripeClient } from './client.ts'
import { businessError, SYSTEM } from './errors.ts'
import type { FormParams } from './form.ts'
import type { StripeInvoice, StripeList, StripeTaxRate } from './stripe-types.ts'

/**
 * Stripe Tax readiness: before a subscription is created with `automatic_tax[enabled]=true`, the
 * customer carries the Account's billing address, tax status and tax id, and Stripe can place it.
 * Otherwise Stripe would refuse the create (`customer_tax_location_invalid`) with a message a rep
 * cannot act on; this one names the Account and what its address lacks.
 * https://docs.stripe.com/tax/customer-locations
 */

interface TaxedCustomer {
  id: string
  tax?: { automatic_tax: string; location: { country: string; state: string | null } | null }
}

interface TaxId {
  id: string
  type: string
  value: string
}

/** The Account's billing address in Stripe's shape (Salesforce's street is one multi-line field). */
export function stripeAddress(a: AccountProfile['billingAddress']): FormParams | undefined {
  if (!a || !Object.values(a).some(Boolean)) return undefined
  const [line1, ...more] = (a.street ?? '').split(/\r?\n/).map((l) => l.trim())
  return {
    line1: line1 || undefined,
    line2: more.filter(Boolean).join(', ') || undefined,
    city: a.city,
    postal_code: a.postalCode,
    state: a.state,
    country: a.country,
  }
}

/** A short, stable digest of what a write sends, so a changed Account gets a fresh key. */
function digest(value: unknown): string {
  let h = 0x811c9dc5
  for (const ch of JSON.stringify(value)) {
    h ^= ch.charCodeAt(0)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(36)
}

/** What the Account's billing address lacks for Stripe Tax, in a rep's words. */
export function addressProblem(account: AccountProfile): string {
  const a = account.billingAddress
  const country = a?.country?.trim()
  if (!a) return 'has no billing address'
  if (!country) return 'has no country'
  if (!/^[A-Za-z]{2}$/.test(country))
    return `has the country "${country}", not a two-letter ISO code such as US or DE`
  const upper = country.toUpperCase()
  if ((upper === 'US' || upper === 'CA') && !a.postalCode?.trim()) return 'has no postal code'
  const where = [a.postalCode, a.state, upper].filter(Boolean).join(', ')
  return `(${where}) is not a location Stripe Tax recognizes; check the postal code and state`
}

const accountName = (a: AccountProfile) =>
  a.name ? `${a.name} (${a.accountId})` : `${a.accountId}`

/**
 * Sets the customer's address, `tax_exempt` and tax id from the Account, then checks where
 * Stripe Tax places it. Each write is keyed by the step and a digest of what it sends: a retry
 * after the Account was fixed sends the fix under a new key, an unchanged one replays.
 * @throws ConnectorError business `tax_location_invalid` when Stripe cannot place the customer,
 * `tax_id_invalid` for a tax id Stripe refuses; transient when Stripe's tax check failed.
 */
export async function prepareTax(
  client: StripeClient,
  account: AccountProfile,
  customerId: string,
  ctx: StepContext,
): Promise<void> {
  const path = `/v1/customers/${encodeURIComponent(customerId)}`
  const params: FormParams = {
    address: stripeAddress(account.billingAddress),
    tax_exempt: account.taxExempt ?? 'none',
  }
  const customer = await client.post<TaxedCustomer>(
    path,
    { ...params, expand: ['tax'] },
    `${ctx.idempotencyKey}:${digest(params)}`,
  )
  if (account.taxId) await ensureTaxId(client, account, customerId, ctx)
  const status = customer.tax?.automatic_tax
  if (status === 'supported' || status === 'not_collecting') return
  if (status === 'failed')
    throw new ConnectorError({
      kind: 'transient',
      system: SYSTEM,
      code: 'tax_location_check_failed',
      message: 'Stripe Tax could not check the customer location; retrying.',
    })
  throw businessError(
    'tax_location_invalid',
    `The billing address of Account ${accountName(account)} ${addressProblem(account)}; Stripe Tax cannot place it. Fix it in Salesforce, then retry.`,
  )
}

/** Adds the Account's tax id to the customer unless it is there already. */
async function ensureTaxId(
  client: StripeClient,
  account: AccountProfile,
  customerId: string,
  ctx: StepContext,
): Promise<void> {
  const wanted = account.taxId as NonNullable<AccountProfile['taxId']>
  const path = `/v1/customers/${encodeURIComponent(customerId)}/tax_ids`
  const value = wanted.value.replaceAll(' ', '').toUpperCase()
  const have = await client.get<StripeList<TaxId>>(path, { limit: 100 })
  if (have.data.some((t) => t.type === wanted.type && t.value === value)) return
  try {
    await client.post(
      path,
      { type: wanted.type, value },
      `${ctx.idempotencyKey}:id:${digest(wanted)}`,
    )
  } catch (err) {
    if (err instanceof ConnectorError && err.kind === 'business')
      throw businessError(
        'tax_id_invalid',
        `The tax id ${value} (${wanted.type}) of Account ${accountName(account)} was refused by Stripe: ${err.message} Fix Tax_Id__c / Tax_Id_Type__c in Salesforce, then retry.`,
      )
    throw err
  }
}

/**
 * The tax on an invoice per jurisdiction, each read from its tax rate (at the pinned version
 * `tax_rate_details.tax_rate` is an id that cannot be expanded); undefined without Stripe Tax.
 * @throws ConnectorError
 */
export async function invoiceTax(
  client: StripeClient,
  invoiceId: string,
): Promise<BillingTax | undefined> {
  const inv = await client.get<StripeInvoice>(`/v1/invoices/${encodeURIComponent(invoiceId)}`)
  const taxes = inv.total_taxes ?? []
  if (taxes.length === 0) return undefined
  const lines: BillingTax['lines'] = []
  for (const t of taxes) {
    const rateId = t.tax_rate_details?.tax_rate
    const rate = rateId
      ? await client.get<StripeTaxRate>(`/v1/tax_rates/${encodeURIComponent(rateId)}`)
      : undefined
    lines.push({
      jurisdiction: rate?.jurisdiction ?? rate?.state ?? rate?.country ?? 'unknown',
      rate: rate?.effective_percentage ?? rate?.percentage ?? 0,
      reason: t.taxability_reason,
      basis: t.taxable_amount ?? 0,
      amount: t.amount,
    })
  }
  const amount = lines.reduce((sum, l) => sum + l.amount, 0)
  return { currency: inv.currency.toUpperCase(), amount, lines }
}
