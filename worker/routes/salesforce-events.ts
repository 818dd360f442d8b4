import { Hono } from 'hono/tiny'
import {
  MAX_EVENTS_PER_BATCH,
  SalesforceEventBatch,
  type IntakeResponse,
} from '../../shared/index.ts'
import { PayloadTooLargeError, ValidationError } from '../errors.ts'
import { ingestEvents } from '../intake/ingest.ts'
import { intakePorts } from '../objects/wiring.ts'
import { parseJson, readRawBody, type AppEnv } from './context.ts'
import { requireSignedRequest } from './signed.ts'

/** 2,000 events of a few hundred bytes each, with room to spare. */
export const MAX_INTAKE_BYTES = 6 * 1024 * 1024

/** `POST /v1/salesforce/events`: signed batches of `Subscription_Amendment__e` from Apex. */
export const salesforceEvents = new Hono<AppEnv>().post('/', async (c) => {
  const raw = await readRawBody(c, MAX_INTAKE_BYTES)
  await requireSignedRequest(c, raw)
  const batch = SalesforceEventBatch.safeParse(parseJson(raw))
  if (!batch.success) {
    const details = batch.error.issues.map((i) => ({
      field: i.path.join('.') || '(body)',
      message: i.message,
    }))
    throw new ValidationError('Body must be {"events": [ ... ]} with at least one event.', details)
  }
  const { events } = batch.data
  if (events.length > MAX_EVENTS_PER_BATCH) {
    throw new PayloadTooLargeError(
      `A batch holds at most ${MAX_EVENTS_PER_BATCH} events; this one has ${events.length}.`,
    )
  }
  const results = await ingestEvents({
    ports: intakePorts(c.env),
    config: c.get('config'),
    events,
    requestId: c.get('requestId'),
    source: 'salesforce.intake',
    log: c.get('log'),
  })
  const counts: Record<string, number> = {}
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1
  c.get('log').info('intake batch', { events: events.length, counts })
  const body: IntakeResponse = { requestId: c.get('requestId'), counts, results }
  // Some events could not be stored: 503 makes Apex send the batch again, and the events that
  // were stored answer `duplicate` the second time.
  if (counts.failed) {
    c.header('Retry-After', '5')
    return c.json(body, 503)
  }
  return c.json(body, 200)
})
