import { Hono } from 'hono/tiny'
import { CreditRequestInput, RefundRequestInput, SalesforceMoneyInput } from '../../shared/index.ts'
import { NotFoundError } from '../errors.ts'
import { actorOf, depsOf } from './actions.ts'
import { parseJson, readRawBody, type AppContext, type AppEnv } from './context.ts'
import { requestMoney } from './money-requests.ts'
import { requireRole } from './operator-auth.ts'
import { requireSignedRequest } from './signed.ts'
import { parse } from './validate.ts'

async function body(c: AppContext): Promise<unknown> {
  const raw = await readRawBody(c, 64 * 1024)
  return raw.byteLength === 0 ? {} : parseJson(raw)
}

/**
 * `POST /v1/credits` and `POST /v1/refunds` (operator API): a credit note on an invoice or a
 * refund of a payment. Each answers 202 with the pending request and its dry run; an approver
 * runs it (`POST /v1/actions/:id/approve`).
 */
export const credits = new Hono<AppEnv>().post('/', requireRole('operator'), async (c) => {
  const input = parse(CreditRequestInput, await body(c), 'body')
  return c.json(await requestMoney(depsOf(c), actorOf(c), { kind: 'credit', ...input }), 202)
})

export const refunds = new Hono<AppEnv>().post('/', requireRole('operator'), async (c) => {
  const input = parse(RefundRequestInput, await body(c), 'body')
  return c.json(await requestMoney(depsOf(c), actorOf(c), { kind: 'refund', ...input }), 202)
})

/**
 * The same from Salesforce, signed by Apex (`ConcordMoneyController`): `POST /v1/salesforce/money`
 * asks on behalf of the Salesforce user named; `GET /v1/salesforce/money/:id` shows the request
 * (its dry run and state) to the component that asked.
 */
export const salesforceMoney = new Hono<AppEnv>()
  .post('/', async (c) => {
    const raw = await readRawBody(c, 64 * 1024)
    await requireSignedRequest(c, raw)
    const input = parse(SalesforceMoneyInput, raw.byteLength === 0 ? {} : parseJson(raw), 'body')
    const who = { name: `salesforce:${input.requestedBy}`, role: 'operator' as const }
    const req =
      input.kind === 'credit'
        ? { kind: 'credit' as const, ...input.request }
        : { kind: 'refund' as const, ...input.request }
    return c.json(await requestMoney(depsOf(c), who, req), 202)
  })
  .get('/:id', async (c) => {
    await requireSignedRequest(c, new Uint8Array(new ArrayBuffer(0)))
    const request = await c.env.APPROVAL_DESK.getByName('global').get(c.req.param('id'))
    if (!request || (request.kind !== 'credit' && request.kind !== 'refund'))
      throw new NotFoundError('Money request')
    return c.json({ request })
  })
