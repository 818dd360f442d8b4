import { ConflictError, ValidationError } from '../errors.ts'
import { SUBSCRIBER_NAME } from '../subscriber/event-subscriber.ts'

type Bindings = Pick<Env, 'ACCOUNT_LEDGER' | 'OPS_REGISTRY' | 'BACKFILL' | 'EVENT_SUBSCRIBER'>

/**
 * Starts a backfill of one account (by its linked billing customer) or of all.
 * @throws ValidationError when the account has no billing customer; ConflictError when one runs.
 */
export async function startBackfill(env: Bindings, actor: string, accountId?: string) {
  let customerId: string | undefined
  if (accountId) {
    customerId =
      (await env.ACCOUNT_LEDGER.getByName(accountId).summary())?.xref.billingCustomerId ??
      (await env.OPS_REGISTRY.getByName('global').customerOf(accountId))
    if (!customerId)
      throw new ValidationError('That account has no billing customer linked yet.', [
        { field: 'accountId', message: 'no billing customer linked' },
      ])
  }
  const backfill = env.BACKFILL.getByName('global')
  const started = await backfill.start({ actor, accountId, customerId })
  if (started.status === 'busy')
    throw new ConflictError('A backfill is already running; follow it with GET /v1/backfill.')
  return backfill.status()
}

/** Runs the CometD catch-up now, from the stored replay id (the only one the worker replays from). */
export function replayFromStored(env: Bindings, actor: string) {
  return env.EVENT_SUBSCRIBER.getByName(SUBSCRIBER_NAME).kick(`operator:${actor}`)
}
