import { Hono } from 'hono/tiny'
import { AccountId } from '../../shared/index.ts'
import { ConflictError, NotFoundError } from '../errors.ts'
import type { AppEnv } from './context.ts'
import { requireRole } from './operator-auth.ts'
import { CustomerLinkInput } from './account-change-schemas.ts'
import { parse } from './validate.ts'

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
    return c.json({ system: body.system, customerId: body.customerId, retried: result.retried })
  },
)
