import type { EventPublish, SalesforceClient } from '../connectors/salesforce/index.ts'
import type { ConnectorError } from '../failure/errors.ts'
import type { RecordOutcome, WriterClient } from './types.ts'

function outcome(r: { ok: true } | { ok: false; error: ConnectorError }): RecordOutcome {
  if (r.ok) return { ok: true }
  const { kind, code, message, retryAfterMs } = r.error
  // A lookup by external id to a parent not written yet (it is in a later flush, or its own
  // write is being retried) resolves once the parent lands: wait, don't park.
  if (code === 'INVALID_FIELD' && /Foreign key external ID/i.test(message))
    return { ok: false, kind: 'transient', code: 'PARENT_NOT_YET_WRITTEN', message }
  return { ok: false, kind, code, message, retryAfterMs }
}

/** The OrgWriter's client over the Salesforce connector: one Composite per batch. */
export function salesforceWriterClient(client: SalesforceClient): WriterClient {
  return {
    async writeBatch({ groups, publish, events: queued = [] }) {
      const hints: EventPublish[] = (publish?.records ?? []).map((fields) => ({
        event: 'Concord_Refresh__e',
        fields,
      }))
      // Queued events were checked against the schema when their record was built.
      const events = [...hints, ...(queued as unknown as EventPublish[])]
      const answer = await client.upsertMany(groups, { events })
      const limits = client.limits()
      return {
        groups: answer.results.map((rs) => rs.map(outcome)),
        published: answer.events.slice(0, hints.length).map(outcome),
        events: answer.events.slice(hints.length).map(outcome),
        usage: limits ? { used: limits.used, max: limits.max } : undefined,
      }
    },
  }
}
