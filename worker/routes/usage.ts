import { Hono } from 'hono/tiny'
import { MAX_USAGE_PER_BATCH, UsageBatch, type UsageResponse } from '../../shared/index.ts'
import { PayloadTooLargeError, ValidationError } from '../errors.ts'
import { ingestUsage } from '../intake/usage.ts'
import { usagePorts } from '../objects/wiring.ts'
import { parseJson, readRawBody, type AppEnv } from './context.ts'
import { requireSignedRequest } from './signed.ts'

/** 10,000 records of a few hundred bytes each, with room to spare. */
export const MAX_USAGE_BYTES = 8 * 1024 * 1024

/**
 * `POST /v1/usage`: signed batches of usage records (signature v2, like the intake). Answers
 * one result per record; 503 with `Retry-After` when some could not be stored (resend the
 * batch: stored ones answer `duplicate`).
 */
export const usage = new Hono<AppEnv>().post('/', async (c) => {
  const raw = await readRawBody(c, MAX_USAGE_BYTES)
  await requireSignedRequest(c, raw)
  const batch = UsageBatch.safeParse(parseJson(raw))
  if (!batch.success) {
    const details = batch.error.issues.map((i) => ({
      field: i.path.join('.') || '(body)',
      message: i.message,
    }))
    throw new ValidationError(
      'Body must be {"records": [ ... ]} with at least one record.',
      details,
    )
  }
  const { records } = batch.data
  if (records.length > MAX_USAGE_PER_BATCH)
    throw new PayloadTooLargeError(
      `A batch holds at most ${MAX_USAGE_PER_BATCH} records; this one has ${records.length}.`,
    )
  const results = await ingestUsage({
    ports: usagePorts(c.env),
    records,
    requestId: c.get('requestId'),
    log: c.get('log'),
  })
  const counts: Record<string, number> = {}
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1
  c.get('log').info('usage batch', { records: records.length, counts })
  const body: UsageResponse = { requestId: c.get('requestId'), counts, results }
  if (counts.failed) {
    c.header('Retry-After', '5')
    return c.json(body, 503)
  }
  return c.json(body, 200)
})
