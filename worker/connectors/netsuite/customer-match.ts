import { ConnectorError } from '../../failure/errors.ts'
import type { CustomerMatch } from '../types.ts'
import type { NetsuiteClient } from './client.ts'
import { customerExternalId } from './external-ids.ts'
import { business, getRecord } from './records.ts'
import { sq, suiteql, suiteqlAll } from './suiteql.ts'

/** How many candidate ids an `ambiguous_customer` message names. */
const NAMED_CANDIDATES = 5

/** The refusal of a guess: several customers could be this Account; an operator chooses. */
export function ambiguousErpCustomer(by: string, ids: string[]): ConnectorError {
  const named = ids.slice(0, NAMED_CANDIDATES).join(', ')
  const more = ids.length > NAMED_CANDIDATES ? ` and ${ids.length - NAMED_CANDIDATES} more` : ''
  return business(
    'ambiguous_customer',
    `${ids.length} NetSuite customers match the Account's ${by} (${named}${more}); choose one in the work queue.`,
  )
}

type Customer = { id: string; subsidiaryId?: string }

const subsidiaryOf = (rec: Record<string, unknown>) => {
  const subsidiary = rec.subsidiary as { id?: unknown } | undefined
  return typeof subsidiary?.id === 'string' ? subsidiary.id : undefined
}

/** The customer whose external id is `externalId`, or undefined when NetSuite has none. */
async function byExternalId(
  client: NetsuiteClient,
  externalId: string,
): Promise<Customer | undefined> {
  try {
    const rec = await getRecord(client, 'customer', `eid:${externalId}`)
    return typeof rec.id === 'string' ? { id: rec.id, subsidiaryId: subsidiaryOf(rec) } : undefined
  } catch (err) {
    if (err instanceof ConnectorError && err.status === 404) return undefined
    throw err
  }
}

type Found = { customerId: string; match: CustomerMatch; subsidiaryId?: string }

/**
 * The one customer Concord made for an Account merged into this one (by its external id): its
 * create took effect but lost its answer before the merge, so the hand-over carried none.
 * @throws ConnectorError business `ambiguous_customer` when several merged Accounts have one.
 */
async function byMergedAccount(
  client: NetsuiteClient,
  mergedAccountIds: string[],
): Promise<Found | undefined> {
  const theirs: Customer[] = []
  // One at a time: NetSuite governs concurrent requests per account.
  for (const id of mergedAccountIds) {
    const found = await byExternalId(client, customerExternalId(id))
    if (found) theirs.push(found)
  }
  if (theirs.length > 1)
    throw ambiguousErpCustomer(
      'merged Accounts',
      theirs.map((c) => c.id),
    )
  const only = theirs[0]
  return only
    ? { customerId: only.id, match: 'merged', subsidiaryId: only.subsidiaryId }
    : undefined
}

/**
 * Looks for the Account's customer before one is created: by external id (one Concord made or
 * linked), then by the external id of each Account merged into it, then by company name or
 * entity id among active customers no other Account claims (no external id).
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_157909186990.html
 * @throws ConnectorError business `ambiguous_customer` when several unclaimed customers share the
 * name, or several merged Accounts have a customer.
 */
export async function findCustomer(
  client: NetsuiteClient,
  externalId: string,
  name: string,
  mergedAccountIds: string[] = [],
): Promise<Found | undefined> {
  const own = await byExternalId(client, externalId)
  if (own) return { customerId: own.id, match: 'account' }
  const merged = await byMergedAccount(client, mergedAccountIds)
  if (merged) return merged
  const trimmed = name.trim()
  if (!trimmed) return undefined
  const rows = await suiteqlAll(
    client,
    suiteql`SELECT id, subsidiary FROM customer WHERE (companyname = ${sq.str(trimmed)} OR entityid = ${sq.str(trimmed)}) AND isinactive = 'F' AND externalid IS NULL ORDER BY id`,
  )
  const found = rows.filter((r) => typeof r.id === 'string')
  if (found.length > 1)
    throw ambiguousErpCustomer(
      'name',
      found.map((r) => r.id as string),
    )
  const only = found[0]
  return only?.id
    ? { customerId: only.id, match: 'name', subsidiaryId: only.subsidiary }
    : undefined
}

/**
 * The operator's pick: it must exist and carry no other Account's external id.
 * @throws ConnectorError business `customer_claimed` (or NetSuite's not found).
 */
export async function checkChosen(
  client: NetsuiteClient,
  customerId: string,
  externalId: string,
): Promise<{ subsidiaryId?: string }> {
  if (!/^\d+$/.test(customerId))
    throw business('customer_not_found', `"${customerId}" is not a NetSuite internal id.`)
  const rec = await getRecord(client, 'customer', customerId)
  const eid = typeof rec.externalId === 'string' ? rec.externalId : undefined
  if (eid && eid !== externalId)
    throw business(
      'customer_claimed',
      `NetSuite customer ${customerId} already has external id ${eid} (another Account).`,
    )
  return { subsidiaryId: subsidiaryOf(rec) }
}
