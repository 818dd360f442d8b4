import { Hono } from 'hono/tiny'
import { AppError, NotFoundError, ValidationError } from '../errors.ts'
import type { AppEnv } from './context.ts'
import { ActivationInput, ActivationParams } from './contract/activation.ts'
import { requireRole } from './operator-auth.ts'
import { parse } from './validate.ts'

async function jsonBody(req: Request): Promise<unknown> {
  try {
    return await req.json<unknown>()
  } catch {
    throw new ValidationError('Request body is not valid JSON.')
  }
}

/** Activation (README, "Activation"): ask for a manual one, read one. */
export const activations = new Hono<AppEnv>()
  .post('/', requireRole('operator'), async (c) => {
    const body = parse(ActivationInput, await jsonBody(c.req.raw), 'body')
    const ledger = c.env.ACCOUNT_LEDGER.getByName(body.accountId)
    const result = await ledger.requestActivation(
      body.subscriptionKey,
      c.get('actor') ?? 'operator',
    )
    if (result.status === 'not_found')
      throw new NotFoundError(`Subscription ${body.subscriptionKey}`)
    if (result.status === 'refused')
      throw new AppError({ code: result.code, status: 409, message: result.message })
    c.get('log').info('activation requested', {
      actor: c.get('actor'),
      subscriptionKey: body.subscriptionKey,
      status: result.status,
    })
    return c.json(result, 202)
  })
  .get('/:accountId/:subscriptionKey', requireRole('viewer'), async (c) => {
    const p = parse(ActivationParams, c.req.param(), 'path')
    const view = await c.env.ACCOUNT_LEDGER.getByName(p.accountId).activation(p.subscriptionKey)
    if (!view) throw new NotFoundError(`The activation of ${p.subscriptionKey}`)
    return c.json(view)
  })
