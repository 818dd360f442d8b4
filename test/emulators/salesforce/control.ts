import type { EmuResponse } from '../common/router.ts'
import type { CometD } from './cometd.ts'
import { SalesforceApiError } from './errors.ts'
import { upsertUser } from './metadata/triggers.ts'
import type { Org } from './org.ts'
import { assignPermissionSet, unassignPermissionSet } from './permissions.ts'
import { publishEvent } from './publish.ts'
import type { RecordFaultRule } from './record-faults.ts'
import { Tx } from './store.ts'
import { resolveTarget, writeRecord } from './upsert.ts'
import { parseRecord } from './validate.ts'
import { asText } from '../common/text.ts'

type Body = Record<string, unknown>

const ok = (body: unknown): EmuResponse => ({ status: 200, body })
const bad = (message: string): EmuResponse => ({ status: 400, body: { error: message } })

/** Publishes events as Apex would (after commit, attributed to the rep): no API call, no effect. */
export function publishAsApex(
  org: Org,
  type: string,
  payloads: Record<string, unknown>[],
  createdBy?: string,
) {
  const obj = org.catalog.get(type)
  if (!obj || obj.kind !== 'PlatformEvent')
    throw new SalesforceApiError(400, 'NOT_FOUND', `${type} is not a platform event`)
  const userId =
    (createdBy && org.users.get(createdBy)) ||
    org.users.get('rep@concord.example') ||
    org.integrationUserId
  const tx = new Tx()
  const results = payloads.map((p) => publishEvent(org, tx, obj, p, userId, false))
  const failed = results.find((r) => !r.success)
  if (failed) {
    org.rollback(tx)
    throw new SalesforceApiError(
      400,
      failed.errors[0]?.statusCode ?? 'INVALID',
      failed.errors[0]?.message ?? 'invalid event',
    )
  }
  org.commit(tx)
  return org.bus
    .retained(`/event/${obj.name}`)
    .filter((e) => results.some((r) => r.uuid === e.uuid))
}

/**
 * Creates or upserts records as an admin would (data loader): validated, but not an effect.
 * `asUser` (a username, e.g. `rep@concord.example`) attributes the write to that person, as a
 * hand edit in the UI is (`LastModifiedById`); by default it is the integration user's.
 */
function put(org: Org, body: Body) {
  const asUser = body.asUser === undefined ? undefined : org.users.get(asText(body.asUser))
  if (body.asUser !== undefined && !asUser)
    throw new SalesforceApiError(400, 'NOT_FOUND', `unknown user ${asText(body.asUser)}`)
  const obj = org.catalog.get(asText(body.object ?? ''))
  if (!obj) throw new SalesforceApiError(404, 'NOT_FOUND', `unknown object ${String(body.object)}`)
  const key = body.externalIdField
    ? resolveTarget(org, obj.name, asText(body.externalIdField)).key
    : undefined
  const tx = new Tx()
  const results = ((body.records as Body[] | undefined) ?? []).map((raw) => {
    // Keyed by Id (an update, as a user editing the record): the Id names it, it is not a field.
    const { Id: _id, ...fields } = raw
    return writeRecord(
      org,
      tx,
      obj,
      key,
      {
        parsed: parseRecord(org.catalog, obj, key?.name === 'Id' ? fields : raw),
        key: key ? asText(raw[key.name] ?? '') : undefined,
      },
      asUser ?? org.integrationUserId,
    )
  })
  tx.effects.length = 0
  org.commit(tx)
  return results
}

function records(org: Org, object: string) {
  const obj = org.catalog.get(object)
  if (!obj) throw new SalesforceApiError(404, 'NOT_FOUND', `unknown object ${object}`)
  return [...org.store.table(obj.name).values()].map((r) => ({ ...r.values, _writes: r.writes }))
}

/**
 * Vendor control actions, at `POST /__control/salesforce/<action>` (camelCase or kebab-case):
 * seed, expireTokens, recordFaults, limit, publish, records, put, advanceClock, purgeEvents,
 * retention, dropClients, events, assignPermissionSet / unassignPermissionSet
 * `{username, permissionSet}`, user `{username, isActive?}` (creates or (de)activates a user).
 */
export function control(
  org: Org,
  cometd: CometD,
  action: string,
  rawBody: unknown,
  reseed: () => unknown,
): EmuResponse | undefined {
  const body = (rawBody ?? {}) as Body
  const [name = '', arg] = action.split('/')
  try {
    switch (name.replace(/-/g, '').toLowerCase()) {
      case 'seed':
        return ok(reseed())
      case 'expiretokens':
      case 'revoketokens': {
        const expired = org.auth.expireAll()
        cometd.sessionsRevoked()
        return ok({ expired })
      }
      case 'recordfaults': {
        const rules = (body.rules as RecordFaultRule[] | undefined) ?? []
        if (body.append === true) org.recordFaults.add(rules)
        else org.recordFaults.set(rules)
        return ok({ rules: org.recordFaults.list() })
      }
      case 'limit': {
        if (typeof body.max === 'number') org.usage.max = body.max
        if (typeof body.used === 'number') org.usage.setUsed(body.used)
        return ok({ max: org.usage.max, used: org.usage.used(), total: org.usage.total })
      }
      case 'publish': {
        const payloads = (body.payloads as Body[] | undefined) ?? [
          (body.payload as Body | undefined) ?? {},
        ]
        const events = publishAsApex(
          org,
          asText(body.event ?? 'Subscription_Amendment__e'),
          payloads,
          body.createdBy as string | undefined,
        )
        return ok({
          events: events.map((e) => ({
            replayId: e.replayId,
            EventUuid: e.uuid,
            channel: e.channel,
          })),
        })
      }
      case 'records':
        return ok({ records: records(org, arg ?? asText(body.object ?? '')) })
      case 'user':
        return ok({ id: upsertUser(org, asText(body.username ?? ''), body.isActive !== false) })
      case 'put':
        return ok({ results: put(org, body) })
      case 'advanceclock': {
        const ms =
          Number(body.ms ?? 0) +
          Number(body.seconds ?? 0) * 1000 +
          Number(body.minutes ?? 0) * 60_000 +
          Number(body.hours ?? 0) * 3_600_000
        org.clock.advance(ms)
        return ok({ offsetMs: org.clock.offset, now: new Date(org.clock.now()).toISOString() })
      }
      case 'purgeevents': {
        const hours = body.olderThanHours
        return ok({
          purged: org.bus.purge(typeof hours === 'number' ? hours * 3_600_000 : undefined),
        })
      }
      case 'retention':
        if (typeof body.hours !== 'number') return bad('retention needs {hours}')
        org.bus.retentionMs = body.hours * 3_600_000
        return ok({ retentionHours: body.hours })
      case 'assignpermissionset':
      case 'unassignpermissionset': {
        const username = asText(body.username ?? '')
        const set = asText(body.permissionSet ?? '')
        if (!username || !set) return bad(`${name} needs {username, permissionSet}`)
        return name.toLowerCase().startsWith('un')
          ? ok({ removed: unassignPermissionSet(org, username, set) })
          : ok({ id: assignPermissionSet(org, username, set) })
      }
      case 'dropclients':
        return ok({ dropped: cometd.dropAll() })
      case 'events':
        return ok({ events: org.bus.retained(body.channel as string | undefined) })
      default:
        return undefined
    }
  } catch (err) {
    if (err instanceof SalesforceApiError)
      return { status: err.status, body: { error: err.message, errorCode: err.errorCode } }
    throw err
  }
}
