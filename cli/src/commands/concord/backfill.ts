import { Flags, SfCommand } from '@salesforce/sf-plugins-core'
import { failure } from '../../lib/failure.ts'
import { workerApi, workerFlags } from '../../lib/flags.ts'
import { pause, pollIntervalFlag } from '../../lib/poll.ts'
import type { BackfillStatus } from '../../lib/worker-types.ts'

/**
 * `sf concord backfill --account <id> | --all`: loads existing Stripe invoices and payments into
 * Salesforce and follows the run with a progress bar. The worker checkpoints every page, so
 * a run outlives this command: `--resume` (or starting while one runs) follows it again.
 */
export default class Backfill extends SfCommand<BackfillStatus> {
  public static override readonly summary =
    'Backfill invoices and payments from billing into Salesforce, with live progress.'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --account 001xx000003DGb2AAG',
    '<%= config.bin %> <%= command.id %> --all',
    '<%= config.bin %> <%= command.id %> --resume',
  ]
  public static override readonly enableJsonFlag = true
  public static override readonly flags = {
    ...workerFlags,
    account: Flags.string({
      summary: 'One Salesforce Account id.',
      exactlyOne: ['account', 'all', 'resume'],
    }),
    all: Flags.boolean({
      summary: 'Every account linked to a billing customer.',
      exactlyOne: ['account', 'all', 'resume'],
    }),
    resume: Flags.boolean({
      summary: 'Follow the backfill already running (or show the last one).',
      exactlyOne: ['account', 'all', 'resume'],
    }),
    'poll-interval': Flags.integer(pollIntervalFlag),
  }

  public async run(): Promise<BackfillStatus> {
    const { flags } = await this.parse(Backfill)
    const api = workerApi(flags)
    let status = await api.call<BackfillStatus>(
      'GET',
      '/v1/backfill',
      'Reading the backfill status',
    )
    if (status.state === 'running') {
      this.log(
        `A backfill (${status.scope ?? 'all'}) is running since ${status.startedAt ?? '?'}: following it.`,
      )
    } else if (!flags.resume) {
      status = await api.call<BackfillStatus>(
        'POST',
        '/v1/backfill',
        `Starting a backfill of ${flags.account ?? 'every account'}`,
        flags.account ? { accountId: flags.account } : {},
      )
      this.log(`Backfill of ${flags.account ?? 'every linked account'} started.`)
    }
    status = await this.follow(
      status,
      () => api.call<BackfillStatus>('GET', '/v1/backfill', 'Following the backfill'),
      flags['poll-interval'],
    )
    this.log(
      `Backfill ${status.state}: ${status.done}/${status.total} account(s), ${status.invoices} invoice(s), ${status.payments} payment(s).`,
    )
    for (const f of status.failed) this.warn(`${f.accountId}: ${f.error}`)
    if (status.state === 'failed' || status.failed.length)
      throw failure({
        doing: 'Backfilling',
        said: `${status.failed.length} account(s) failed${status.failed[0] ? ` (first: ${status.failed[0].accountId}: ${status.failed[0].error})` : ''}`,
        next: [
          'Fix what the errors name (a missing customer link, a refused Stripe key), then run the backfill for those accounts again with --account.',
        ],
        code: 'BackfillFailed',
      })
    return status
  }

  private async follow(
    first: BackfillStatus,
    read: () => Promise<BackfillStatus>,
    intervalMs: number,
  ): Promise<BackfillStatus> {
    let status = first
    this.progress.start(
      Math.max(status.total, 1),
      {},
      { title: 'Backfill', format: '%s | {bar} | {value}/{total} accounts' },
    )
    while (status.state === 'running') {
      this.progress.setTotal(Math.max(status.total, 1))
      this.progress.update(status.done)
      await pause(intervalMs)
      status = await read()
    }
    this.progress.setTotal(Math.max(status.total, 1))
    this.progress.update(status.done)
    this.progress.finish()
    return status
  }
}
