import type { OperatorResult } from '../ledger/account-ledger.ts'
import type { Logger } from '../lib/log.ts'

export { RetryInput, SkipInput } from './operator-schemas.ts'

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
