import { Args } from '@oclif/core'
import { Flags, SfCommand } from '@salesforce/sf-plugins-core'
import { workerApi, workerFlags } from '../../../lib/flags.ts'
import type { AmendmentDetail } from '../../../lib/worker-types.ts'

/** `sf concord exceptions skip <amendment-id>`: POST /v1/exceptions/:id/skip (operator role). */
export default class ExceptionsSkip extends SfCommand<AmendmentDetail> {
  public static override readonly summary =
    'Skip a parked amendment for good (later amendments of its subscription go on).'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> 6f1c…-amendment-id --reason "card updated by the customer"',
  ]
  public static override readonly enableJsonFlag = true
  public static override readonly args = {
    id: Args.string({
      description: 'Amendment id (see sf concord exceptions list).',
      required: true,
    }),
  }
  public static override readonly flags = {
    ...workerFlags,
    reason: Flags.string({ summary: 'Why: kept in the audit trail.', required: true }),
  }

  public async run(): Promise<AmendmentDetail> {
    const { args, flags } = await this.parse(ExceptionsSkip)
    const { amendment } = await workerApi(flags).call<{ amendment: AmendmentDetail }>(
      'POST',
      `/v1/exceptions/${encodeURIComponent(args.id)}/skip`,
      `Skipping amendment ${args.id}`,
      flags.reason === undefined ? {} : { reason: flags.reason },
    )
    this.log(
      `Amendment ${amendment.id} is now ${amendment.state} (${amendment.subscriptionKey} #${amendment.sequence}).`,
    )
    return amendment
  }
}
