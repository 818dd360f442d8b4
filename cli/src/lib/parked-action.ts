import { Args } from '@oclif/core'
import { workerApi } from './flags.ts'
import type { AmendmentDetail } from './worker-types.ts'

/** The one argument of `exceptions retry` and `exceptions skip`. */
export const amendmentIdArg = {
  id: Args.string({
    description: 'Amendment id (see sf concord exceptions list).',
    required: true,
  }),
}

/**
 * Retries or skips a parked amendment through the operator API (operator role) and says where it
 * stands now; `reason` goes to the audit trail.
 * @throws the worker's refusal, worded for an admin (see lib/failure.ts).
 */
export async function actOnParked(
  log: (line: string) => void,
  flags: Parameters<typeof workerApi>[0],
  action: 'retry' | 'skip',
  id: string,
  reason: string | undefined,
): Promise<AmendmentDetail> {
  const doing = action === 'retry' ? 'Retrying' : 'Skipping'
  const { amendment } = await workerApi(flags).call<{ amendment: AmendmentDetail }>(
    'POST',
    `/v1/exceptions/${encodeURIComponent(id)}/${action}`,
    `${doing} amendment ${id}`,
    reason === undefined ? {} : { reason },
  )
  log(
    `Amendment ${amendment.id} is now ${amendment.state} (${amendment.subscriptionKey} #${amendment.sequence}).`,
  )
  return amendment
}
