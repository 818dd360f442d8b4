import { Hono } from 'hono/tiny'
import {
  AccountChangeBatch,
  AccountId,
  type AccountLegalEntityChanged,
  toId18,
  type AccountChangeResult,
} from '../../shared/index.ts'
import { ConflictError, NotFoundError } from '../errors.ts'
import { parseJson, readRawBody, type AppEnv } from './context.ts'
import { requireSignedRequest } from './signed.ts'
import { requireRole } from './operator-auth.ts'
import { CustomerLinkInput } from './account-change-schemas.ts'
import { parse } from './validate.ts'

/** 200 changes of a few hundred bytes each, with room to spare. */
const MAX_ACCOUNT_CHANGE_BYTES = 256 * 1024

/** Operator routes of account changes: the customer link that answers `ambiguous_customer`. */
export const accountChangesOperator = new Hono<AppEnv>().post(
  '/accounts/:accountId/customer-link',
  requireRole('operator'),
  async (c) => {
    const accountId = parse(AccountId, c.req.param('accountId'), 'account id')
    const body = parse(CustomerLinkInput, await c.req.json().catch(() => undefined), 'body')
    const actor = c.get('actor') ?? 'operator'
    const result = await c.env.ACCOUNT_LEDGER.getByName(accountId).chooseCustomer(
      { system: body.system, customerId: body.customerId },
      { actor, reason: body.reason },
    )
    if (result.status === 'not_found') throw new NotFoundError('Account')
    if (result.status === 'conflict') throw new ConflictError(result.message)
    c.get('log').info('operator customer link', { actor, accountId, system: body.system })
    return c.json({
      system: body.system,
      customerId: body.customerId,
      retried: result.retried,
      awaitingApproval: result.awaitingApproval,
    })
  },
)

/** A re-parenting, recorded in the account's ledger. */
async function legalEntityChanged(
  env: Env,
  change: AccountLegalEntityChanged,
): Promise<AccountChangeResult> {
  const accountId = toId18(change.accountId)
  const result = await env.ACCOUNT_LEDGER.getByName(accountId).changeLegalEntity(accountId, {
    eventId: change.id,
    legalEntity: change.legalEntity,
  })
  if (result.status === 'rejected')
    return { id: change.id, status: 'rejected', message: result.message }
  return { id: change.id, status: result.status, flagged: result.flagged }
}

/** `POST /v1/salesforce/account-changes`: signed batches of Account merges and re-parentings. */
export const salesforceAccountChanges = new Hono<AppEnv>().post('/', async (c) => {
  const raw = await readRawBody(c, MAX_ACCOUNT_CHANGE_BYTES)
  await requireSignedRequest(c, raw)
  const batch = parse(AccountChangeBatch, parseJson(raw), 'body')
  const results: AccountChangeResult[] = []
  for (const change of batch.changes) {
    if (change.type === 'account.legal_entity_changed') {
      results.push(await legalEntityChanged(c.env, change))
      continue
    }
    const loser = toId18(change.loserId)
    const survivor = toId18(change.survivorId)
    if (loser === survivor) {
      results.push({
        id: change.id,
        status: 'rejected',
        message: 'An Account cannot be merged into itself.',
      })
      continue
    }
    // Durable in the loser's ledger before the answer; its pump hands the work over.
    const status = await c.env.ACCOUNT_LEDGER.getByName(loser).mergeInto(loser, {
      eventId: change.id,
      survivorId: survivor,
    })
    results.push({ id: change.id, status })
  }
  c.get('log').info('account changes', { changes: batch.changes.length })
  return c.json({ requestId: c.get('requestId'), results })
})
