import { Args } from '@oclif/core'
import { workerApi } from './flags.ts'
import type { ActionRequest, AmendmentDetail } from './worker-types.ts'

/** The one argument of `exceptions retry` and `exceptions skip`. */
export const amendmentIdArg = {
  id: Args.string({
    description: 'Amendment id (see sf concord exceptions list).',
    required: true,
  }),
}

/** What a retry or skip led to: done now, or a request waiting for an approver. */
export type ParkedActionResult =
  | { status: 'done'; amendment: AmendmentDetail }
  | { status: 'approval_required'; request: ActionRequest }

/** One line on what a dry-run diff would do, for the terminal. */
export function diffLine(request: ActionRequest): string {
  const billing = request.diff?.billing
  if (!billing) return 'Dry run: nothing more is billed.'
  const { currency, amountDue } = billing.preview
  const calls = billing.calls.map((c) => `${c.method} ${c.path}`).join(', ') || 'no call'
  const verb = request.diff?.effect === 'withhold' ? 'withholds' : 'makes'
  return `Dry run: approving ${verb} ${calls}; amount due ${(amountDue / 100).toFixed(2)} ${currency}.`
}

/**
 * Retries or skips a parked amendment through the operator API (operator role) and says where it
 * stands now; `reason` goes to the audit trail. An action that moves money is not run: the worker
 * answers 202 with a request a second person approves (`sf concord approve <request id>`).
 * @throws the worker's refusal, worded for an admin (see lib/failure.ts).
 */
export async function actOnParked(
  log: (line: string) => void,
  flags: Parameters<typeof workerApi>[0],
  action: 'retry' | 'skip',
  id: string,
  reason: string | undefined,
): Promise<ParkedActionResult> {
  const doing = action === 'retry' ? 'Retrying' : 'Skipping'
  const answer = await workerApi(flags).call<
    { amendment: AmendmentDetail } | { status: 'approval_required'; request: ActionRequest }
  >(
    'POST',
    `/v1/exceptions/${encodeURIComponent(id)}/${action}`,
    `${doing} amendment ${id}`,
    reason === undefined ? {} : { reason },
  )
  if ('request' in answer) {
    const r = answer.request
    log(`${doing} amendment ${id} moves money: it waits for a second person's approval.`)
    log(diffLine(r))
    log(`Request ${r.id} (${r.state}, expires ${r.expiresAt}). An approver runs it with:`)
    log(`  sf concord approve ${r.id}`)
    return { status: 'approval_required', request: r }
  }
  const amendment = answer.amendment
  log(
    `Amendment ${amendment.id} is now ${amendment.state} (${amendment.subscriptionKey} #${amendment.sequence}).`,
  )
  return { status: 'done', amendment }
}
