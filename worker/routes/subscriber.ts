import { Hono } from 'hono/tiny'
import * as z from 'zod/mini'
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts'
import type { AppEnv } from './context.ts'
import { requireRole } from './operator-auth.ts'
import { SUBSCRIBER_NAME } from '../subscriber/event-subscriber.ts'
import { parse } from './validate.ts'

/** `POST /v1/subscriber/run`: no body runs from the stored replay id; `fromReplayId` rewinds. */
const RunInput = z.object({ fromReplayId: z.optional(z.int()) })

async function runInput(req: Request): Promise<z.infer<typeof RunInput>> {
  const text = await req.text()
  if (!text.trim()) return {}
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new ValidationError('Request body is not valid JSON.')
  }
  return parse(RunInput, body, 'body')
}

/** Operator API of the CometD catch-up subscriber: its status, a run on demand, gap sign-off. */
export const subscriber = new Hono<AppEnv>()
  .get('/', requireRole('viewer'), async (c) =>
    c.json(await c.env.EVENT_SUBSCRIBER.getByName(SUBSCRIBER_NAME).status()),
  )
  .post('/run', requireRole('operator'), async (c) => {
    const { fromReplayId } = await runInput(c.req.raw)
    const actor = c.get('actor') ?? 'operator'
    const stub = c.env.EVENT_SUBSCRIBER.getByName(SUBSCRIBER_NAME)
    const result =
      fromReplayId === undefined
        ? await stub.kick(`operator:${actor}`)
        : await stub.replayFrom(fromReplayId, `operator:${actor}`)
    if (result.status === 'refused')
      throw new ValidationError(result.message, [
        { field: 'fromReplayId', message: result.message },
      ])
    if (result.status === 'running' && fromReplayId !== undefined)
      throw new ConflictError(
        'A catch-up run is going; replay from a chosen id once it has finished (GET /v1/subscriber).',
      )
    c.get('log').info('subscriber run requested', { actor, ...result })
    return c.json(result, 202)
  })
  .post('/gaps/:id/acknowledge', requireRole('operator'), async (c) => {
    const id = Number(c.req.param('id'))
    if (!Number.isSafeInteger(id) || id < 1)
      throw new ValidationError('Gap id must be a positive whole number.')
    const actor = c.get('actor') ?? 'operator'
    const result = await c.env.EVENT_SUBSCRIBER.getByName(SUBSCRIBER_NAME).acknowledgeGap(id, actor)
    if (result.status === 'not_found') throw new NotFoundError('Gap')
    c.get('log').info('subscriber gap acknowledged', { actor, gapId: id })
    return c.json({ gap: result.gap })
  })
