import { Hono } from 'hono/tiny'
import { AppError, NotFoundError, ValidationError } from '../errors.ts'
import { parseJson, readRawBody, type AppContext, type AppEnv } from './context.ts'
import {
  ActivationInput,
  ActivationParams,
  SalesforceActivationInput,
} from './contract/activation.ts'
import { requireRole } from './operator-auth.ts'
import { requireSignedRequest } from './signed.ts'
import { parse } from './validate.ts'

async function jsonBody(req: Request): Promise<unknown> {
  try {
    return await req.json<unknown>()
  } catch {
    throw new ValidationError('Request body is not valid JSON.')
  }
}

/**
 * Asks the account's ledger to activate a manual subscription as `actor` (kept on the activation
 * and its audit trail).
 * @throws NotFoundError for a subscription the ledger has no create of; AppError 409
 * `not_in_billing` or `not_manual`.
 */
async function requestActivation(
  c: AppContext,
  body: { accountId: string; subscriptionKey: string },
  actor: string,
): Promise<Response> {
  const ledger = c.env.ACCOUNT_LEDGER.getByName(body.accountId)
  const result = await ledger.requestActivation(body.subscriptionKey, actor)
  if (result.status === 'not_found') throw new NotFoundError(`Subscription ${body.subscriptionKey}`)
  if (result.status === 'refused')
    throw new AppError({ code: result.code, status: 409, message: result.message })
  c.get('log').info('activation requested', {
    actor,
    subscriptionKey: body.subscriptionKey,
    status: result.status,
  })
  return c.json(result, 202)
}

/** Activation (README, "Activation"): ask for a manual one, read one. */
export const activations = new Hono<AppEnv>()
  .post('/', requireRole('operator'), async (c) => {
    const body = parse(ActivationInput, await jsonBody(c.req.raw), 'body')
    return requestActivation(c, body, c.get('actor') ?? 'operator')
  })
  .get('/:accountId/:subscriptionKey', requireRole('viewer'), async (c) => {
    const p = parse(ActivationParams, c.req.param(), 'path')
    const view = await c.env.ACCOUNT_LEDGER.getByName(p.accountId).activation(p.subscriptionKey)
    if (!view) throw new NotFoundError(`The activation of ${p.subscriptionKey}`)
    return c.json(view)
  })

/**
 * `POST /v1/salesforce/activations`: the same ask from the subscription's Salesforce page, signed
 * by Apex like every Apex call, on behalf of the user named (who holds the custom permission Apex
 * checked); recorded as `salesforce:<user id>`.
 */
export const salesforceActivations = new Hono<AppEnv>().post('/', async (c) => {
  const raw = await readRawBody(c, 4 * 1024)
  await requireSignedRequest(c, raw)
  const body = parse(SalesforceActivationInput, parseJson(raw), 'body')
  return requestActivation(c, body, `salesforce:${body.requestedBy}`)
})
