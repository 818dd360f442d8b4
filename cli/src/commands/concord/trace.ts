import { Args } from '@oclif/core'
import { Flags, SfCommand } from '@salesforce/sf-plugins-core'
import { workerApi, workerFlags } from '../../lib/flags.ts'
import { locateAmendment } from '../../lib/locate.ts'
import { connectionOf } from '../../lib/org.ts'
import { describeAmendment } from '../../lib/show.ts'
import type { AmendmentDetail } from '../../lib/worker-types.ts'

export interface TraceResult {
  accountId: string
  foundVia: string
  amendment: AmendmentDetail
}

/**
 * `sf concord trace <id>`: an amendment's whole path by amendment or correlation id. The worker
 * has no lookup by correlation id, so the account is found in its exception index or, with
 * `--target-org`, in the `Subscription_Sync__c` rows it wrote to Salesforce.
 */
export default class Trace extends SfCommand<TraceResult> {
  public static override readonly summary =
    'Follow one amendment by amendment or correlation id: state, refs, audit trail.'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> 3b1f…-correlation-id --target-org concord',
    '<%= config.bin %> <%= command.id %> 6f1c…-amendment-id --account 001xx000003DGb2AAG',
  ]
  public static override readonly enableJsonFlag = true
  public static override readonly args = {
    id: Args.string({ description: 'Amendment id or correlation id.', required: true }),
  }
  public static override readonly flags = {
    ...workerFlags,
    account: Flags.string({ summary: 'Its Salesforce Account id, when known.' }),
    'target-org': Flags.optionalOrg({
      summary: 'Org whose Subscription_Sync__c rows map correlation ids to accounts.',
    }),
  }

  public async run(): Promise<TraceResult> {
    const { args, flags } = await this.parse(Trace)
    const api = workerApi(flags)
    const at = await locateAmendment(api, args.id, {
      accountId: flags.account,
      conn: flags['target-org'] && connectionOf(flags['target-org']),
    })
    const amendment = await api.call<AmendmentDetail>(
      'GET',
      `/v1/accounts/${encodeURIComponent(at.accountId)}/amendments/${encodeURIComponent(at.amendmentId)}`,
      `Reading amendment ${at.amendmentId}`,
    )
    this.log(`(account found via ${at.via})`)
    for (const line of describeAmendment(amendment, at.accountId)) this.log(line)
    return { accountId: at.accountId, foundVia: at.via, amendment }
  }
}
