import { ConflictError, NotFoundError } from '../errors.ts'
import type { OperatorResult } from '../ledger/account-ledger.ts'
import type { Logger } from '../lib/log.ts'

export { RetryInput, SkipInput } from './operator-schemas.ts'

function answer(result: OperatorResult) {
  if (result.status === 'not_found') throw new NotFoundError('Amendment')
  if (result.status === 'conflict') throw new ConflictError(result.message)
  return result.amendment
}

/**
 * Finds the ledger that holds a parked amendment and has it retried or skipped, audited under
 * `actor`: the one code path behind `POST /v1/exceptions/:id/…` and the console's buttons.
 * @throws NotFoundError when no ledger holds it; ConflictError when it is not parked.
 */
export async function actOnParked(
  env: Pick<Env, 'OPS_REGISTRY' | 'ACCOUNT_LEDGER'>,
  log: Logger,
  input: { id: string; action: 'retry' | 'skip'; actor: string; reason?: string },
) {
  const { id, action, actor, reason } = input
  const accountId = await env.OPS_REGISTRY.getByName('global').locate(id)
  if (!accountId) throw new NotFoundError('Exception')
  const ledger = env.ACCOUNT_LEDGER.getByName(accountId)
  const amendment = answer(
    action === 'retry'
      ? await ledger.retry(id, actor, reason)
      : await ledger.skip(id, actor, reason ?? ''),
  )
  log.info(`operator ${action}`, { actor, amendmentId: id, correlationId: amendment.correlationId })
  return amendment
}
