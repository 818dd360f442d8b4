import { Args } from '@oclif/core'
import { Flags, SfCommand } from '@salesforce/sf-plugins-core'
import { workerApi, workerFlags } from '../../../lib/flags.ts'
import { locateAmendment } from '../../../lib/locate.ts'
import { describeAmendment } from '../../../lib/show.ts'
import type { AmendmentDetail } from '../../../lib/worker-types.ts'

/** `sf concord exceptions show <amendment-id>`: one amendment with its audit trail. */
export default class ExceptionsShow extends SfCommand<AmendmentDetail> {
  public static override readonly summary = 'Show one amendment: state, error, audit trail.'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> 6f1c…-amendment-id --account 001xx000003DGb2AAG',
  ]
  public static override readonly enableJsonFlag = true
  public static override readonly args = {
    id: Args.string({ description: 'Amendment id.', required: true }),
  }
  public static override readonly flags = {
    ...workerFlags,
    account: Flags.string({
      summary: 'Its Salesforce Account id (found in the exception index when left out).',
    }),
  }

  public async run(): Promise<AmendmentDetail> {
    const { args, flags } = await this.parse(ExceptionsShow)
    const api = workerApi(flags)
    const at = await locateAmendment(api, args.id, { accountId: flags.account })
    const detail = await api.call<AmendmentDetail>(
      'GET',
      `/v1/accounts/${encodeURIComponent(at.accountId)}/amendments/${encodeURIComponent(at.amendmentId)}`,
      `Reading amendment ${at.amendmentId}`,
    )
    for (const line of describeAmendment(detail, at.accountId)) this.log(line)
    return detail
  }
}
