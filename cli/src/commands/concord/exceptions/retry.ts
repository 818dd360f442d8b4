import { Flags, SfCommand } from '@salesforce/sf-plugins-core'
import { workerFlags } from '../../../lib/flags.ts'
import { actOnParked, amendmentIdArg, type ParkedActionResult } from '../../../lib/parked-action.ts'

/** `sf concord exceptions retry <amendment-id>`: POST /v1/exceptions/:id/retry (operator role). */
export default class ExceptionsRetry extends SfCommand<ParkedActionResult> {
  public static override readonly summary =
    'Retry a parked amendment now (it goes back in line for its subscription).'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> 6f1c…-amendment-id --reason "card updated by the customer"',
  ]
  public static override readonly enableJsonFlag = true
  public static override readonly args = amendmentIdArg
  public static override readonly flags = {
    ...workerFlags,
    reason: Flags.string({ summary: 'Why: kept in the audit trail.', required: false }),
  }

  public async run(): Promise<ParkedActionResult> {
    const { args, flags } = await this.parse(ExceptionsRetry)
    return actOnParked((line) => this.log(line), flags, 'retry', args.id, flags.reason)
  }
}
