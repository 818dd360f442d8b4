import type { MoneyRequest } from '../../shared/index.ts'
import { hasRole } from '../console/roles.ts'
import { AppError, ForbiddenError, UnavailableError } from '../errors.ts'
import { approvalRule } from '../ledger/governance.ts'
import type { MoneyDiff, MoneyPlanResult } from '../ledger/money-plan.ts'
import type { ActionRequest } from '../ops/action-requests.ts'
import type { Config } from '../config/types.ts'
import type { ConsoleRole } from '../console/roles.ts'
import type { Logger } from '../lib/log.ts'

/** What money requests need: the ledgers, the approval desk, the config and a logger. */
export interface MoneyDeps {
  env: Pick<Env, 'ACCOUNT_LEDGER' | 'APPROVAL_DESK'>
  config: Config
  log: Logger
}

type Who = { name: string; role: ConsoleRole }

const desk = (deps: MoneyDeps) => deps.env.APPROVAL_DESK.getByName('global')

/**
 * A money plan's diff, or the error that says why there is none: a refusal names the problem
 * (422: more than is creditable or refundable, a currency that does not match, a failed
 * payment); a vendor that can't be read is a 503 to try again.
 * @throws AppError 422, UnavailableError.
 */
function usable(result: MoneyPlanResult): { diff: MoneyDiff; fingerprint: string } {
  if (result.status === 'ok') return { diff: result.diff, fingerprint: result.fingerprint }
  if (result.status === 'refused')
    throw new AppError({ code: 'refused', status: 422, message: result.message })
  throw new UnavailableError(
    'The dry run could not read the vendors; try again shortly.',
    `money dry run failed: ${result.code} ${result.message}`,
    30_000,
  )
}

/**
 * Asks for a credit note or a refund as `who`: the account's ledger plans it from the vendors'
 * current state (refusing up front what would fail), and the request waits for an approver.
 * A second ask for the same document while one is open answers the open one.
 * @throws ForbiddenError below `operator`; AppError 422; UnavailableError.
 */
export async function requestMoney(
  deps: MoneyDeps,
  who: Who,
  req: MoneyRequest,
): Promise<{ status: 'pending'; created: boolean; request: ActionRequest }> {
  if (!hasRole(who.role, 'operator')) throw new ForbiddenError('This needs the operator role.')
  const id = `ar_${crypto.randomUUID()}`
  const ledger = deps.env.ACCOUNT_LEDGER.getByName(req.accountId)
  const { diff, fingerprint } = usable(await ledger.moneyDryRun(id, req))
  const opened = await desk(deps).request({
    id,
    kind: req.kind,
    target: req.kind === 'credit' ? req.invoiceId : req.paymentId,
    accountId: req.accountId,
    requestedBy: who.name,
    reason: req.memo ? `${req.reason}: ${req.memo}` : req.reason,
    ttlMs: deps.config.approvalTtlMs,
    why: approvalRule({ kind: req.kind }).why,
    diff,
    fingerprint,
  })
  deps.log.info('money action requested', {
    actor: who.name,
    requestId: opened.request.id,
    kind: req.kind,
  })
  return { status: 'pending', ...opened }
}

/**
 * Runs an approved credit or refund: plans it again from the vendors' current state; a
 * different plan sends it back for approval (an invoice credited or paid meanwhile), a refusal
 * supersedes it, else the account's ledger takes it, once per request id, and runs it in order
 * with the account's other work.
 * @throws UnavailableError (nothing ran; the approval is released by the caller).
 */
export async function executeMoney(
  deps: MoneyDeps,
  request: ActionRequest,
  finish: (state: 'executed' | 'superseded', outcome: string) => Promise<ActionRequest>,
): Promise<{ status: 'executed' | 'superseded' | 'needs_reapproval'; request: ActionRequest }> {
  const held = request.diff as MoneyDiff | undefined
  if (!held?.request || !request.accountId)
    throw new AppError({ code: 'refused', status: 422, message: 'This request has no plan.' })
  const ledger = deps.env.ACCOUNT_LEDGER.getByName(request.accountId)
  const again = await ledger.moneyDryRun(request.id, held.request)
  if (again.status === 'refused')
    return { status: 'superseded', request: await finish('superseded', again.message) }
  const { diff, fingerprint } = usable(again)
  if (fingerprint !== request.fingerprint) {
    const ttlMs = deps.config.approvalTtlMs
    const next = await desk(deps).reask(request.id, { diff, fingerprint, ttlMs })
    deps.log.info('money action re-asked: its plan changed', { requestId: request.id })
    return { status: 'needs_reapproval', request: next }
  }
  const queued = await ledger.runMoney(diff)
  const outcome = `${request.kind} ${queued === 'queued' ? 'handed' : 'already handed'} to the account's ledger`
  return { status: 'executed', request: await finish('executed', outcome) }
}
