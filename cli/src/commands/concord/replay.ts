import { Flags, SfCommand } from '@salesforce/sf-plugins-core'
import { failure } from '../../lib/failure.ts'
import { workerApi, workerFlags } from '../../lib/flags.ts'
import { pause, pollIntervalFlag } from '../../lib/poll.ts'
import type { KickResult, RunView, SubscriberStatus } from '../../lib/worker-types.ts'

export interface ReplayResult {
  kicked: KickResult
  fromReplayId?: number
  run?: RunView
}

/**
 * `sf concord replay`: runs the CometD catch-up now, from the worker's stored replay id, or with
 * `--from` from an earlier one (`POST /v1/subscriber/run` with `fromReplayId`): the worker moves
 * its cursor back and takes the events again, duplicates dropped by EventUuid. It refuses a
 * replay id past the stored one (events would be skipped) and says so.
 */
export default class Replay extends SfCommand<ReplayResult> {
  public static override readonly summary =
    'Run the Salesforce event catch-up now, from the stored replay id or an earlier one.'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --wait',
    '<%= config.bin %> <%= command.id %> --from 41 --wait',
    '<%= config.bin %> <%= command.id %> --from -2',
  ]
  public static override readonly enableJsonFlag = true
  public static override readonly flags = {
    ...workerFlags,
    from: Flags.integer({
      summary:
        'Replay id to replay after: an earlier event’s, or -2 for everything Salesforce retains (72 h).',
      min: -2,
    }),
    wait: Flags.boolean({ summary: 'Wait for the run to finish and print what it took in.' }),
    'poll-interval': Flags.integer(pollIntervalFlag),
  }

  public async run(): Promise<ReplayResult> {
    const { flags } = await this.parse(Replay)
    const api = workerApi(flags)
    const before = await api.call<SubscriberStatus>(
      'GET',
      '/v1/subscriber',
      'Reading the subscriber status',
    )
    const from = flags.from
    const rewind = from !== undefined && from !== before.replayId
    const kicked = await api.call<KickResult>(
      'POST',
      '/v1/subscriber/run',
      rewind ? `Replaying from replay id ${from}` : 'Starting a catch-up run',
      rewind ? { fromReplayId: from } : undefined,
    )
    const after = rewind ? from : before.replayId
    this.log(
      kicked.status === 'running'
        ? 'A catch-up run is already going.'
        : `Catch-up run scheduled for ${kicked.runAt}, after replay id ${after === -2 || after === undefined ? '(all retained)' : after}.`,
    )
    if (!flags.wait) return { kicked, fromReplayId: after }
    const lastId = before.lastRun?.id ?? 0
    this.spinner.start('Waiting for the run')
    let run: RunView | undefined
    while (!run) {
      await pause(flags['poll-interval'])
      const s = await api.call<SubscriberStatus>(
        'GET',
        '/v1/subscriber',
        'Following the catch-up run',
      )
      run = s.recentRuns.find((r) => r.id > lastId && r.finishedAt)
    }
    this.spinner.stop(run.outcome ?? 'done')
    if (run.error)
      throw failure({
        doing: 'The catch-up run',
        said: `${run.error.code}: ${run.error.message}`,
        next: [
          'Check the worker’s Salesforce login settings (SALESFORCE_*), then run sf concord replay again.',
        ],
        code: 'ReplayFailed',
      })
    this.log(
      `Run ${run.id} ${run.outcome ?? 'finished'}: replay id ${run.fromReplayId ?? '-'} → ${run.toReplayId ?? '-'}.`,
    )
    return { kicked, fromReplayId: after, run }
  }
}
