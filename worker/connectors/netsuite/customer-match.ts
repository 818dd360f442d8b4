import { ConnectorError } from '../../failure/errors.ts'
import type { CustomerMatch } from '../types.ts'
import type { NetsuiteClient } from './client.ts'
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

/** The customer whose external id is `externalId`, or undefined when NetSuite has none. */
async function byExternalId(
  client: NetsuiteClient,
  externalId: string,
): Promise<string | undefined> {
  try {
    const rec = await getRecord(client, 'customer', `eid:${externalId}`)
    return typeof rec.id === 'string' ? rec.id : undefined
  } catch (err) {
    if (err instanceof ConnectorError && err.status === 404) return undefined
    throw err
  }
}

/**
 * Looks for the Account's customer before one is created: by external id (one Concord made or
 * linked), then by company name or entity id among active customers no other Account claims
 * (no external id). https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_157909186990.html
 * @throws ConnectorError business `ambiguous_customer` when several unclaimed customers share the name.
 */
export async function findCustomer(
  client: NetsuiteClient,
  externalId: string,
  name: string,
): Promise<{ customerId: string; match: CustomerMatch; subsidiaryId?: string } | undefined> {
  const own = await byExternalId(client, externalId)
  if (own) return { customerId: own, match: 'account' }
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
  const subsidiary = rec.subsidiary as { id?: unknown } | undefined
  return { subsidiaryId: typeof subsidiary?.id === 'string' ? subsidiary.id : undefined }
}
