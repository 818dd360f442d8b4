import { randomUUID } from 'node:crypto'
import type { ObjectDescribe } from './catalog.ts'
import { recordError } from './errors.ts'
import type { Org } from './org.ts'
import type { Tx } from './store.ts'
import type { SaveResult } from './upsert.ts'
import { parseRecord } from './validate.ts'

/**
 * Publishes one platform event: a Publish After Commit event reaches the bus when `tx` commits,
 * a Publish Immediately one at once. Publishing is an insert of the event, so the same field
 * checks apply. A successful publish answers with
 * OPERATION_ENQUEUED and the EventUuid in `errors`, as current Salesforce releases do for
 * (asynchronously published) high-volume events.
 * https://developer.salesforce.com/docs/atlas.en-us.platform_events.meta/platform_events/platform_events_publish_api.htm
 * @throws SalesforceApiError for an unknown field or a value of the wrong JSON type.
 */
export function publishEvent(
  org: Org,
  tx: Tx,
  obj: ObjectDescribe,
  raw: Record<string, unknown>,
  userId: string,
  recordEffect: boolean,
): SaveResult & { uuid?: string } {
  const parsed = parseRecord(org.catalog, obj, raw)
  const keys: Record<string, string> = {}
  for (const [k, v] of Object.entries(parsed.values)) if (typeof v === 'string') keys[k] = v
  const injected = org.recordFaults.check(obj.name, keys)
  if (injected) return { success: false, errors: [injected] }
  if (parsed.errors.length > 0) return { success: false, errors: parsed.errors }
  const values: Record<string, unknown> = {}
  for (const f of obj.fields.values()) if (f.createable) values[f.name] = null
  Object.assign(values, parsed.values)
  const uuid = randomUUID()
  const correlation = values.Correlation_Id__c
  const effect = {
    kind: `event.publish.${obj.name}`,
    target: uuid,
    correlationId: typeof correlation === 'string' ? correlation : undefined,
    detail: { fields: values },
  }
  if (obj.publishImmediately) {
    // Publish Immediately: the event goes out now and survives a rollback of the transaction.
    org.bus.publish(obj.name, values, userId, uuid)
    if (recordEffect)
      org.effects.record(effect.kind, effect.target, effect.correlationId, effect.detail)
  } else {
    tx.events.push({ uuid, type: obj.name, values, createdById: userId })
    if (recordEffect) tx.effects.push(effect)
  }
  return {
    id: org.ids.next(obj.keyPrefix),
    success: true,
    errors: [recordError('OPERATION_ENQUEUED', uuid)],
    uuid,
  }
}
