import { ConnectorError } from '../../failure/errors.ts'
import type { NetsuiteClient } from './client.ts'

const RECORD = '/services/rest/record/v1'
const EID = /^[A-Za-z0-9_-]+$/

export const business = (code: string, message: string) =>
  new ConnectorError({ kind: 'business', system: 'netsuite', code, message })

/** The internal id at the end of a record URL (`Location: …/record/v1/customer/123`). */
export function idFromLocation(location: string | null, type: string): string | undefined {
  if (!location) return undefined
  const m = new RegExp(`/record/v1/${type}/(\\d+)(?:[/?#]|$)`, 'i').exec(location)
  return m?.[1]
}

/**
 * Creates or updates the `type` record whose external id is `externalId`
 * (`PUT /record/v1/<type>/eid:<externalId>`, https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156335203191.html)
 * and answers its internal id — from `Location`, or read back by external id if absent.
 * `replace` names sublists to replace rather than merge: a keyed sublist without line keys is
 * otherwise appended to on every retry (section_1545297048.html).
 * @throws ConnectorError
 */
export async function upsertByExternalId(
  client: NetsuiteClient,
  type: string,
  externalId: string,
  body: Record<string, unknown>,
  replace: string[] = [],
): Promise<string> {
  if (!EID.test(externalId))
    throw business('invalid_external_id', `"${externalId}" cannot be a NetSuite external id.`)
  const res = await client.send({
    method: 'PUT',
    path: `${RECORD}/${type}/eid:${externalId}`,
    query: replace.length > 0 ? { replace: replace.join(',') } : undefined,
    body,
    what: `the upsert of ${type} eid:${externalId}`,
  })
  const id = idFromLocation(res.headers.get('location'), type)
  if (id) return id
  const read = await getRecord(client, type, `eid:${externalId}`)
  if (typeof read.id !== 'string' || !/^\d+$/.test(read.id)) {
    throw new ConnectorError({
      kind: 'transient',
      system: 'netsuite',
      code: 'unexpected_response',
      message: `NetSuite saved ${type} eid:${externalId} but did not say its id.`,
    })
  }
  return read.id
}

/** `GET /record/v1/<type>/<ref>`, sublists expanded when asked. */
export async function getRecord(
  client: NetsuiteClient,
  type: string,
  ref: string,
  expand = false,
): Promise<Record<string, unknown>> {
  const res = await client.send({
    method: 'GET',
    path: `${RECORD}/${type}/${ref}`,
    query: expand ? { expandSubResources: 'true' } : undefined,
    what: `the read of ${type} ${ref}`,
  })
  return (res.json ?? {}) as Record<string, unknown>
}
