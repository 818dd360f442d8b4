import type { ActionRequestInput } from '../../shared/index.ts'
import type { Config } from '../config/types.ts'
import { hasRole, type ConsoleRole } from '../console/roles.ts'
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '../errors.ts'
import type { DryRunResult } from '../ledger/dry-run.ts'
import { approvalRule } from '../ledger/governance.ts'
import type { Logger } from '../lib/log.ts'
import type { ActionRequest, ClaimResult, NewRequest } from '../ops/action-requests.ts'
import { replayFromStored, startBackfill } from './direct-actions.ts'
import { executeMoney } from './money-requests.ts'
import { actOnLedger } from './parked-actions.ts'

type Bindings = Pick<
  Env,
  'ACCOUNT_LEDGER' | 'OPS_REGISTRY' | 'BACKFILL' | 'EVENT_SUBSCRIBER' | 'APPROVAL_DESK'
>

/** Who is acting, and with which role: from an operator token or a console session. */
export interface Actor {
  name: string
  role: ConsoleRole
}

export interface GovernedDeps {
  env: Bindings
  config: Config
  log: Logger
}

/** What asking for an action led to: it ran at once, or it waits for an approver. */
export type RequestOutcome =
  | { status: 'executed'; request: ActionRequest; result: unknown }
  | { status: 'pending'; created: boolean; request: ActionRequest }

/** What an approval led to: it ran, its target had moved on, or its diff changed. */
export type ApprovalOutcome = {
  status: 'executed' | 'superseded' | 'needs_reapproval'
  request: ActionRequest
}

const desk = (env: Bindings) => env.APPROVAL_DESK.getByName('global')

/**
 * Asks for a governed action as `who`. The one rule (`approvalRule`) decides: an action that
 * creates or changes money gets a dry-run diff from the vendors' current state and waits for an
 * approver; anything else runs now. Both are recorded with the actor and correlation id.
 * @throws ForbiddenError below `operator`; NotFoundError, ConflictError (not parked),
 * UnavailableError (a vendor can't be read for the diff), ValidationError.
 */
export async function requestAction(
  deps: GovernedDeps,
  who: Actor,
  input: ActionRequestInput,
): Promise<RequestOutcome> {
  if (!hasRole(who.role, 'operator')) throw new ForbiddenError('This needs the operator role.')
  if (input.kind === 'backfill' || input.kind === 'replay') return runDirect(deps, who, input)
  if (input.amendmentId.startsWith(MONEY_PREFIX)) return runMoneyParked(deps, who, input)
  const { env } = deps
  const accountId = await env.OPS_REGISTRY.getByName('global').locate(input.amendmentId)
  const facts = accountId
    ? await env.ACCOUNT_LEDGER.getByName(accountId).actionFacts(input.amendmentId)
    : undefined
  if (!accountId || !facts) throw new NotFoundError('Exception')
  if (facts.state !== 'parked') throw new ConflictError(`Amendment is ${facts.state}, not parked.`)
  const rule = approvalRule({ kind: input.kind, step: facts.step, amendment: facts.amendment })
  const base = {
    kind: input.kind,
    target: input.amendmentId,
    accountId,
    correlationId: facts.correlationId,
    requestedBy: who.name,
    reason: input.reason || undefined,
    ttlMs: deps.config.approvalTtlMs,
    why: rule.why,
  } satisfies NewRequest
  if (!rule.required) return runParkedDirect(deps, base)
  const pricedAt = Math.floor(Date.now() / 1000)
  const dry = usable(
    await env.ACCOUNT_LEDGER.getByName(accountId).dryRun(input.amendmentId, input.kind, pricedAt),
  )
  const opened = await desk(env).request({ ...base, pricedAt, ...dry })
  deps.log.info('governed action requested', {
    actor: who.name,
    requestId: opened.request.id,
    correlationId: facts.correlationId,
    kind: input.kind,
  })
  return { status: 'pending', ...opened }
}

/**
 * A dry run's diff, or the error that says why there is none.
 * @throws NotFoundError, ConflictError (not parked, or a vendor refusal), UnavailableError.
 */
function usable(result: DryRunResult) {
  if (result.status === 'ok') return { diff: result.diff, fingerprint: result.fingerprint }
  if (result.status === 'not_found') throw new NotFoundError('Exception')
  if (result.status === 'conflict') throw new ConflictError(result.message)
  if (result.retryable)
    throw new UnavailableError(
      'The dry run could not read the vendors; try again shortly.',
      `dry run failed: ${result.code} ${result.message}`,
      30_000,
    )
  throw new ConflictError(`The vendors refuse this action now: ${result.message}`)
}

/** A retry or skip the rule lets an operator run now: run it, then record it as executed. */
async function runParkedDirect(deps: GovernedDeps, base: NewRequest): Promise<RequestOutcome> {
  const result = await actOnLedger(deps.env, deps.log, {
    id: base.target,
    accountId: base.accountId ?? '',
    action: base.kind as 'retry' | 'skip',
    actor: base.requestedBy,
    reason: base.reason,
  })
  if (result.status === 'not_found') throw new NotFoundError('Amendment')
  if (result.status === 'conflict') throw new ConflictError(result.message)
  const request = await desk(deps.env).recordDirect(base, `${base.kind} done`)
  return { status: 'executed', request, result: result.amendment }
}

const MONEY_PREFIX = 'money:'

/**
 * Retry or skip of a parked credit or refund (`money:<request id>` in the work queue). Its plan
 * was approved by a second person already, and a retry resumes that plan at its next step under
 * the same idempotency keys and external ids, so nothing beyond what was approved can move: it
 * runs at once for an operator, and is recorded with the actor like every governed action.
 */
async function runMoneyParked(
  deps: GovernedDeps,
  who: Actor,
  input: { kind: 'retry' | 'skip'; amendmentId: string; reason?: string },
): Promise<RequestOutcome> {
  const accountId = await deps.env.OPS_REGISTRY.getByName('global').locate(input.amendmentId)
  if (!accountId) throw new NotFoundError('Exception')
  const requestId = input.amendmentId.slice(MONEY_PREFIX.length)
  const ledger = deps.env.ACCOUNT_LEDGER.getByName(accountId)
  const result = await ledger.actOnMoney(requestId, input.kind)
  if (result.status === 'not_found') throw new NotFoundError('Money action')
  if (result.status === 'conflict') throw new ConflictError(result.message)
  const base = {
    kind: input.kind,
    target: input.amendmentId,
    accountId,
    correlationId: requestId,
    requestedBy: who.name,
    reason: input.reason || undefined,
    ttlMs: deps.config.approvalTtlMs,
    why: 'The credit or refund was approved by a second person; this resumes or ends that plan.',
  } satisfies NewRequest
  const request = await desk(deps.env).recordDirect(base, `${input.kind}: now at ${result.step}`)
  deps.log.info(`money action ${input.kind}`, { actor: who.name, requestId })
  return { status: 'executed', request, result }
}

/** Backfill and replay never need approval (`approvalRule`): run, then record. */
async function runDirect(
  deps: GovernedDeps,
  who: Actor,
  input: Extract<ActionRequestInput, { kind: 'backfill' | 'replay' }>,
): Promise<RequestOutcome> {
  const { env } = deps
  const result =
    input.kind === 'backfill'
      ? await startBackfill(env, who.name, input.accountId)
      : await replayFromStored(env, who.name)
  const request = await desk(env).recordDirect(
    {
      kind: input.kind,
      target: input.kind === 'backfill' ? (input.accountId ?? 'all') : 'stored replay id',
      accountId: input.kind === 'backfill' ? input.accountId : undefined,
      requestedBy: who.name,
      reason: input.reason || undefined,
      ttlMs: deps.config.approvalTtlMs,
      why: approvalRule({ kind: input.kind }).why,
    },
    `${input.kind} started`,
  )
  return { status: 'executed', request, result }
}

/**
 * Refusals of a claim or a rejection as errors: the requester never approves their own request.
 * @throws NotFoundError, ForbiddenError, ConflictError.
 */
function claimed(result: ClaimResult): ActionRequest {
  if (result.status === 'claimed') return result.request
  if (result.status === 'not_found') throw new NotFoundError('Action request')
  if (result.status === 'self_approval')
    throw new ForbiddenError('You asked for this action; another approver must approve it.')
  if (result.status === 'expired')
    throw new ConflictError(
      `This request expired at ${result.request.expiresAt}; ask for the action again.`,
    )
  throw new ConflictError(`This request is ${result.request.state}, not pending.`)
}

/**
 * Approves a pending request as `who` (an approver who did not ask for it) and executes it:
 * the diff is computed again from the vendors' current state; when it changed, the request goes
 * back to pending with the new diff; otherwise the ledger acts, once per request id.
 * @throws ForbiddenError, NotFoundError, ConflictError, UnavailableError (nothing ran).
 */
export async function approveAction(
  deps: GovernedDeps,
  who: Actor,
  id: string,
): Promise<ApprovalOutcome> {
  if (!hasRole(who.role, 'approver')) throw new ForbiddenError('This needs the approver role.')
  const request = claimed(await desk(deps.env).claim(id, who.name))
  try {
    return await execute(deps, request, who)
  } catch (err) {
    await desk(deps.env).release(id, err instanceof Error ? err.message : 'execution failed')
    throw err
  }
}

async function execute(
  deps: GovernedDeps,
  request: ActionRequest,
  who: Actor,
): Promise<ApprovalOutcome> {
  const { env, log } = deps
  const kind = request.kind
  if (kind === 'credit' || kind === 'refund')
    return executeMoney(deps, request, (state, outcome) => finish(env, request.id, state, outcome))
  if ((kind !== 'retry' && kind !== 'skip') || !request.accountId)
    throw new ValidationError(`A ${kind} request cannot be executed by approval.`)
  const ledger = env.ACCOUNT_LEDGER.getByName(request.accountId)
  const pricedAt = request.pricedAt ?? Math.floor(Date.now() / 1000)
  const again = await ledger.dryRun(request.target, kind, pricedAt)
  if (again.status === 'not_found' || again.status === 'conflict') {
    const why = again.status === 'conflict' ? again.message : 'The amendment is gone.'
    return { status: 'superseded', request: await finish(env, request.id, 'superseded', why) }
  }
  const { diff, fingerprint } = usable(again)
  if (fingerprint !== request.fingerprint) {
    const ttlMs = deps.config.approvalTtlMs
    const next = await desk(env).reask(request.id, { diff, fingerprint, ttlMs })
    log.info('governed action re-asked: its diff changed', { requestId: request.id })
    return { status: 'needs_reapproval', request: next }
  }
  const said = request.reason ? `: ${request.reason}` : ''
  const result = await actOnLedger(env, log, {
    id: request.target,
    accountId: request.accountId,
    action: kind,
    actor: who.name,
    reason: `requested by ${request.requestedBy}, approved by ${who.name}${said}`,
    requestId: request.id,
  })
  if (result.status !== 'ok') {
    const why = result.status === 'conflict' ? result.message : 'The amendment is gone.'
    return { status: 'superseded', request: await finish(env, request.id, 'superseded', why) }
  }
  const done = await finish(env, request.id, 'executed', `${kind} done`)
  return { status: 'executed', request: done }
}

async function finish(
  env: Bindings,
  id: string,
  state: 'executed' | 'superseded',
  outcome: string,
): Promise<ActionRequest> {
  const request = await desk(env).finish(id, state, outcome)
  if (!request) throw new NotFoundError('Action request')
  return request
}

/**
 * Declines a pending request, with a reason.
 * @throws ForbiddenError below `approver`; NotFoundError; ConflictError when not pending.
 */
export async function rejectAction(
  deps: GovernedDeps,
  who: Actor,
  id: string,
  reason: string,
): Promise<ActionRequest> {
  if (!hasRole(who.role, 'approver')) throw new ForbiddenError('This needs the approver role.')
  const request = claimed(await desk(deps.env).reject(id, who.name, reason))
  deps.log.info('governed action rejected', { actor: who.name, requestId: id })
  return request
}
