import { Hono } from 'hono/tiny'
import { NotFoundError, ValidationError } from '../errors.ts'
import type { AppEnv } from './context.ts'
import { requireRole } from './operator-auth.ts'
import { SUBSCRIBER_NAME } from '../subscriber/event-subscriber.ts'

/** Operator API of the CometD catch-up subscriber: its status, a run on demand, gap sign-off. */
export const subscriber = new Hono<AppEnv>()
  .get('/', requireRole('viewer'), async (c) =>
    c.json(await c.env.EVENT_SUBSCRIBER.getByName(SUBSCRIBER_NAME).status()),
  )
  .post('/run', requireRole('operator'), async (c) => {
    const actor = c.get('actor') ?? 'operator'
    const result = await c.env.EVENT_SUBSCRIBER.getByName(SUBSCRIBER_NAME).kick(`operator:${actor}`)
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
