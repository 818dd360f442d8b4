import { Args } from '@oclif/core'
import { Flags, SfCommand } from '@salesforce/sf-plugins-core'
import { workerApi, workerFlags } from '../../lib/flags.ts'
import { diffLine } from '../../lib/parked-action.ts'
import type { ActionRequest, ApprovalAnswer } from '../../lib/worker-types.ts'

const SAID: Record<ApprovalAnswer['status'], (r: ActionRequest) => string> = {
  executed: (r) =>
    `Request ${r.id} approved and run: ${r.kind} of ${r.target} (${r.outcome ?? 'done'}).`,
  superseded: (r) =>
    `Request ${r.id} approved, but its target had moved on, so nothing ran: ${r.outcome ?? ''}`,
  needs_reapproval: (r) =>
    `Request ${r.id} was not run: the vendors' state changed since it was asked, so it needs approval again with the new diff.`,
  rejected: (r) => `Request ${r.id} rejected: ${r.outcome ?? ''}`,
}

/**
 * `sf concord approve <request-id> [--reject --reason]`: approves (and so runs) or rejects a
 * governed action through `POST /v1/actions/:id/approve|reject` (approver role). The worker
 * enforces the two-person rules: never one's own request, never an expired one, and a diff that
 * changed since the request goes back for approval instead of running.
 */
export default class Approve extends SfCommand<ApprovalAnswer> {
  public static override readonly summary =
    'Approve (and so run) or reject a retry or skip that moves money, as a second person.'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> ar_6f1c…',
    '<%= config.bin %> <%= command.id %> ar_6f1c… --reject --reason "the customer disputes the seats"',
  ]
  public static override readonly enableJsonFlag = true
  public static override readonly args = {
    id: Args.string({
      description: 'Request id (from `sf concord exceptions retry|skip` or the console).',
      required: true,
    }),
  }
  public static override readonly flags = {
    ...workerFlags,
    reject: Flags.boolean({ summary: 'Reject the request instead of approving it.' }),
    reason: Flags.string({
      summary: 'Why: required with --reject, kept in the audit trail.',
      dependsOn: ['reject'],
    }),
  }

  public async run(): Promise<ApprovalAnswer> {
    const { args, flags } = await this.parse(Approve)
    const api = workerApi(flags)
    const path = `/v1/actions/${encodeURIComponent(args.id)}`
    const answer = flags.reject
      ? await api.call<ApprovalAnswer>('POST', `${path}/reject`, `Rejecting request ${args.id}`, {
          reason: flags.reason ?? '',
        })
      : await api.call<ApprovalAnswer>(
          'POST',
          `${path}/approve`,
          `Approving request ${args.id}`,
          {},
        )
    this.log(SAID[answer.status](answer.request))
    if (answer.status === 'needs_reapproval') {
      this.log(diffLine(answer.request))
      this.log(`Another approver (or you, if you did not ask for it) runs it with:`)
      this.log(`  sf concord approve ${answer.request.id}`)
    }
    return answer
  }
}
