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
 * `sf concord replay`: runs the CometD catch-up now, from the worker's stored replay id.
 * `POST /v1/subscriber/run` takes no replay id, so `--from` is only accepted when it is the
 * stored one; anything else is refused with what to do instead.
 */
export default class Replay extends SfCommand<ReplayResult> {
  public static override readonly summary =
    'Run the Salesforce event catch-up now, from the stored replay id.'
  public static override readonly examples = ['<%= config.bin %> <%= command.id %> --wait']
  public static override readonly enableJsonFlag = true
  public static override readonly flags = {
    ...workerFlags,
    from: Flags.integer({
      summary: 'Replay id to start after (must be the worker’s stored one: the API cannot rewind).',
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
    if (flags.from !== undefined && flags.from !== before.replayId)
      throw failure({
        doing: `Replaying from replay id ${flags.from}`,
        said: `the worker's API cannot move the catch-up cursor: POST /v1/subscriber/run takes no replay id and runs from the stored one (${before.replayId ?? 'none yet: everything retained'})`,
        next: [
          'Run `sf concord replay` without --from to catch up from the stored replay id.',
          'Events before it were already taken in; to send one again, republish it from Salesforce (its EventUuid makes a duplicate harmless).',
        ],
        code: 'ReplayFromUnsupported',
      })
    const kicked = await api.call<KickResult>(
      'POST',
      '/v1/subscriber/run',
      'Starting a catch-up run',
    )
    this.log(
      kicked.status === 'running'
        ? 'A catch-up run is already going.'
        : `Catch-up run scheduled for ${kicked.runAt}, after replay id ${before.replayId ?? '(all retained)'}.`,
    )
    if (!flags.wait) return { kicked, fromReplayId: before.replayId }
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
    return { kicked, fromReplayId: before.replayId, run }
  }
}
