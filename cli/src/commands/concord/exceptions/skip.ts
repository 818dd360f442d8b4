import { Flags, SfCommand } from '@salesforce/sf-plugins-core'
import { workerFlags } from '../../../lib/flags.ts'
import { actOnParked, amendmentIdArg, type ParkedActionResult } from '../../../lib/parked-action.ts'

/** `sf concord exceptions skip <amendment-id>`: POST /v1/exceptions/:id/skip (operator role). */
export default class ExceptionsSkip extends SfCommand<ParkedActionResult> {
  public static override readonly summary =
    'Skip a parked amendment for good (later amendments of its subscription go on).'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> 6f1c…-amendment-id --reason "card updated by the customer"',
  ]
  public static override readonly enableJsonFlag = true
  public static override readonly args = amendmentIdArg
  public static override readonly flags = {
    ...workerFlags,
    reason: Flags.string({ summary: 'Why: kept in the audit trail.', required: true }),
  }

  public async run(): Promise<ParkedActionResult> {
    const { args, flags } = await this.parse(ExceptionsSkip)
    return actOnParked((line) => this.log(line), flags, 'skip', args.id, flags.reason)
  }
}
