import * as z from 'zod'
import { ConflictError, NotFoundError } from '../errors.ts'
import type { OperatorResult } from '../ledger/account-ledger.ts'
import type { Logger } from '../lib/log.ts'

/** What retry and skip take, from the JSON API and the console alike. */
export const RetryInput = z.object({ reason: z.string().trim().max(500).optional() })
export const SkipInput = z.object({
  reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(500),
})

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
  const accountId = await env.OPS_REGISTRY.getByName('global').locate(input.id)
  if (!accountId) throw new NotFoundError('Exception')
  return answer(await actOnLedger(env, log, { ...input, accountId }))
}

/**
 * Has the account's ledger retry or skip an amendment, once per `requestId` when one is given
 * (an approved request), and logs it. Answers the ledger's tagged result.
 */
export async function actOnLedger(
  env: Pick<Env, 'ACCOUNT_LEDGER'>,
  log: Logger,
  input: {
    id: string
    accountId: string
    action: 'retry' | 'skip'
    actor: string
    reason?: string
    requestId?: string
  },
): Promise<OperatorResult> {
  const { id, action, actor, reason, requestId } = input
  const ledger = env.ACCOUNT_LEDGER.getByName(input.accountId)
  const result =
    action === 'retry'
      ? await ledger.retry(id, { actor, reason, requestId })
      : await ledger.skip(id, { actor, reason: reason ?? '', requestId })
  if (result.status === 'ok')
    log.info(`operator ${action}`, {
      actor,
      amendmentId: id,
      requestId,
      correlationId: result.amendment.correlationId,
    })
  return result
}
