import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startVendors, type VendorStack } from '../../test/stack/vendors.ts'
import Backfill from '../src/commands/concord/backfill.ts'
import ExceptionsList from '../src/commands/concord/exceptions/list.ts'
import ExceptionsRetry from '../src/commands/concord/exceptions/retry.ts'
import type { ParkedActionResult } from '../src/lib/parked-action.ts'
import ExceptionsShow from '../src/commands/concord/exceptions/show.ts'
import ExceptionsSkip from '../src/commands/concord/exceptions/skip.ts'
import Replay from '../src/commands/concord/replay.ts'
import Trace from '../src/commands/concord/trace.ts'
import type { AmendmentDetail, BackfillStatus, ExceptionEntry } from '../src/lib/worker-types.ts'
import { sha256, startFakeWorker, type FakeWorker } from './support/fake-worker.ts'
import { loginToEmulator } from './support/org.ts'
import { runCommand, type CommandRun } from './support/run.ts'

const TOKEN = 'op_operate_test_token_91c3e7'
const VIEWER = 'op_viewer_test_token_0b4d2a'
const ACCOUNT = '001000000000001AAA'
const OTHER = '001000000000002AAA'

function amendment(
  id: string,
  accountId: string,
  over: Partial<AmendmentDetail> & { indexed?: boolean; traced?: boolean } = {},
) {
  return {
    id,
    accountId,
    indexed: true,
    traced: true,
    subscriptionKey: `${accountId}:main`,
    sequence: 2,
    action: 'change_quantity',
    state: 'parked' as const,
    step: 'billing',
    attempts: 1,
    errorCode: 'card_declined',
    errorMessage: 'Your card was declined.',
    correlationId: `corr-${id}`,
    receivedAt: '2026-12-07T10:00:00.000Z',
    updatedAt: '2026-12-07T10:00:05.000Z',
    audit: [
      {
        at: '2026-12-07T10:00:00.000Z',
        actor: 'salesforce',
        action: 'received',
        toState: 'waiting',
      },
      {
        at: '2026-12-07T10:00:05.000Z',
        actor: 'saga',
        action: 'parked',
        fromState: 'waiting',
        toState: 'parked',
        detail: { code: 'card_declined' },
      },
    ],
    ...over,
  }
}

/** Every failure names what was done, what the worker said and what to do; never the token. */
function expectAdminError(run: CommandRun<unknown>, doing: RegExp, said: RegExp) {
  expect(run.exitCode).not.toBe(0)
  expect(run.error?.message).toMatch(doing)
  expect(run.error?.message).toMatch(said)
  expect(run.error?.actions?.length).toBeGreaterThan(0)
  for (const text of [
    run.stdout,
    run.stderr,
    run.error?.message ?? '',
    ...(run.error?.actions ?? []),
  ])
    expect(text).not.toContain(TOKEN)
}

describe('sf concord operating commands', () => {
  let vendors: VendorStack
  let worker: FakeWorker

  beforeAll(async () => {
    worker = await startFakeWorker(TOKEN)
    vendors = await startVendors({ seedSalesforce: true })
    await loginToEmulator(vendors, 'concord')
  })
  afterAll(async () => {
    await vendors.close()
    await worker.close()
  })
  beforeEach(() => {
    worker.state.tokens = [
      { sha256: sha256(TOKEN), role: 'operator' },
      { sha256: sha256(VIEWER), role: 'viewer' },
    ]
    worker.state.amendments = [
      amendment('amd-1', ACCOUNT),
      amendment('amd-2', OTHER, { errorCode: 'resource_missing', errorMessage: 'No such price.' }),
      amendment('amd-3', ACCOUNT, {
        indexed: false,
        traced: false,
        state: 'applied',
        errorCode: undefined,
      }),
    ]
    worker.state.requests.length = 0
  })

  const w = ['--worker-url', '', '--token', TOKEN]
  const args = (...rest: string[]) => [...rest, ...w.map((v) => v || worker.url)]

  it('lists the work queue with its counts, filtered and searched as asked', async () => {
    type Page = { items: Array<{ amendmentId?: string }> }
    const all = await runCommand<Page>(ExceptionsList, args())
    expect(all.exitCode).toBe(0)
    expect(all.result?.items.map((e) => e.amendmentId)).toEqual(['amd-1', 'amd-2'])
    expect(all.stdout).toContain('needs a data fix 2')
    expect(all.stdout).toMatch(/needs_data_fix\s+stripe\s+card_declined: Your card was\s/)
    const one = await runCommand<Page>(
      ExceptionsList,
      args('--account', OTHER, '--category', 'needs_data_fix', '--older-than', '2h', '-q', 'amd-2'),
    )
    expect(one.result?.items.map((e) => e.amendmentId)).toEqual(['amd-2'])
    expect(worker.state.requests.at(-1)?.path).toBe(
      `/v1/exceptions?limit=100&accountId=${OTHER}&category=needs_data_fix&olderThan=2h&q=amd-2`,
    )
    expect(all.stdout + one.stdout).not.toContain(TOKEN)
  })

  it('lists the amendments in one state with --state, for one account or all', async () => {
    const all = await runCommand<{ items: ExceptionEntry[] }>(
      ExceptionsList,
      args('--state', 'parked'),
    )
    expect(all.result?.items.map((e) => e.amendmentId)).toEqual(['amd-1', 'amd-2'])
    expect(all.stdout).toMatch(
      /amd-1\s+001000000000001AAA.*card_declined: Your card was declined\./,
    )
    await runCommand(ExceptionsList, args('--state', 'parked', '--account', OTHER))
    expect(worker.state.requests.at(-1)?.path).toBe(
      `/v1/exceptions?state=parked&limit=100&accountId=${OTHER}`,
    )
  })

  it('shows one amendment with its audit trail, finding its account in the exception index', async () => {
    const run = await runCommand<AmendmentDetail>(ExceptionsShow, args('amd-1'))
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain(
      `Amendment amd-1 (change_quantity, ${ACCOUNT}:main #2) on account ${ACCOUNT}`,
    )
    expect(run.stdout).toMatch(/saga\s+parked waiting → parked code=card_declined/)
  })

  it('retries and skips parked amendments with the reason, and the worker applies it', async () => {
    const retried = await runCommand<ParkedActionResult>(
      ExceptionsRetry,
      args('amd-1', '--reason', 'card updated'),
    )
    expect(retried.result).toMatchObject({ status: 'done', amendment: { state: 'waiting' } })
    expect(worker.state.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v1/exceptions/amd-1/retry',
      body: { reason: 'card updated' },
    })
    const skipped = await runCommand<ParkedActionResult>(
      ExceptionsSkip,
      args('amd-2', '--reason', 'entered twice'),
    )
    expect(skipped.stdout).toContain('Amendment amd-2 is now skipped')
    expect(worker.state.amendments.map((a) => a.state)).toEqual(['waiting', 'skipped', 'applied'])
  })

  it('explains a refusal: what was done, the worker’s code, message and request id, what next', async () => {
    const unknown = await runCommand(ExceptionsRetry, args('amd-404'))
    expectAdminError(
      unknown,
      /^Retrying amendment amd-404 failed/,
      /404 not_found: Exception not found\. \[request id req-\d+\]/,
    )
    expect(unknown.error?.actions?.[0]).toContain('sf concord exceptions list')

    const again = await runCommand(ExceptionsSkip, args('amd-3', '--reason', 'not parked'))
    expectAdminError(again, /Skipping amendment amd-3 failed/, /404 not_found/)

    const viewer = await runCommand(ExceptionsRetry, [
      'amd-1',
      '--worker-url',
      worker.url,
      '--token',
      VIEWER,
    ])
    expectAdminError(
      viewer,
      /Retrying amendment amd-1 failed/,
      /403 forbidden: This needs the operator role/,
    )
    expect(viewer.stderr).not.toContain(VIEWER)

    const wrong = await runCommand(ExceptionsList, [
      '--worker-url',
      worker.url,
      '--token',
      `${TOKEN}x`,
    ])
    expectAdminError(
      wrong,
      /Reading the exception work queue failed/,
      /401 unauthorized: Operator token not recognised/,
    )
    expect(wrong.error?.actions?.join(' ')).toContain('CONCORD_TOKEN')
  })

  it('names an unreachable worker and where its URL comes from', async () => {
    const run = await runCommand(ExceptionsList, [
      '--worker-url',
      'http://127.0.0.1:9',
      '--token',
      TOKEN,
    ])
    expectAdminError(run, /Reading the exception work queue failed/, /could not be reached/)
    expect(run.error?.actions?.[0]).toContain('--worker-url')
  })

  it('traces by correlation id through the worker’s trace index, the exception index, or Salesforce’s status rows', async () => {
    worker.state.amendments.push(
      amendment('amd-4', OTHER, { indexed: false, state: 'applied', errorCode: undefined }),
    )
    const traced = await runCommand<{ foundVia: string; accountId: string }>(
      Trace,
      args('corr-amd-4'),
    )
    expect(traced.error).toBeUndefined()
    expect(traced.result).toMatchObject({ foundVia: 'trace index', accountId: OTHER })
    expect(traced.stdout).toContain('Amendment amd-4')
    expect(worker.state.requests.map((r) => r.path)).toEqual([
      '/v1/lookup/corr-amd-4',
      `/v1/accounts/${OTHER}/amendments/amd-4`,
    ])

    worker.state.amendments[1]!.traced = false
    const indexed = await runCommand<{ foundVia: string }>(Trace, args('corr-amd-2'))
    expect(indexed.result?.foundVia).toBe('exception index')
    expect(indexed.stdout).toContain('Amendment amd-2')

    const never = await runCommand(Trace, args('corr-amd-3'))
    expectAdminError(never, /Finding amendment corr-amd-3 failed/, /exception index/)
    expect(never.error?.actions?.join(' ')).toContain('--target-org')

    await fetch(`${vendors.salesforce.url}/__control/salesforce/put`, {
      method: 'POST',
      body: JSON.stringify({
        object: 'Subscription_Sync__c',
        records: [
          {
            External_Id__c: 'amd-3',
            Account__c: vendors.salesforce.sf.seed().accountIds[0],
            Correlation_Id__c: 'corr-amd-3',
            Status__c: 'applied',
          },
        ],
      }),
    })
    const account = vendors.salesforce.sf.seed().accountIds[0] ?? ''
    worker.state.amendments[2]!.accountId = account
    const viaOrg = await runCommand<{ foundVia: string; accountId: string }>(
      Trace,
      args('corr-amd-3', '--target-org', 'concord'),
    )
    expect(viaOrg.error).toBeUndefined()
    expect(viaOrg.result).toMatchObject({ foundVia: 'Subscription_Sync__c', accountId: account })
  })

  it('backfills every account with progress until done', async () => {
    const run = await runCommand<BackfillStatus>(Backfill, args('--all', '--poll-interval', '50'))
    expect(run.error).toBeUndefined()
    expect(run.result).toMatchObject({ state: 'done', done: 4, total: 4, invoices: 8, payments: 4 })
    expect(worker.state.requests.filter((r) => r.method === 'POST')).toEqual([
      expect.objectContaining({ path: '/v1/backfill', body: {} }),
    ])
    expect(run.stdout).toContain('Backfill done: 4/4 account(s), 8 invoice(s), 4 payment(s).')
  })

  it('follows a backfill already running instead of starting another (resume)', async () => {
    worker.state.backfill = {
      state: 'running',
      scope: ACCOUNT,
      done: 0,
      total: 2,
      counting: false,
      invoices: 0,
      payments: 0,
      startedAt: new Date().toISOString(),
      failed: [],
    }
    const run = await runCommand<BackfillStatus>(
      Backfill,
      args('--account', ACCOUNT, '--poll-interval', '50'),
    )
    expect(run.stdout).toContain('is running since')
    expect(run.result?.state).toBe('done')
    expect(worker.state.requests.some((r) => r.method === 'POST')).toBe(false)
    const resumed = await runCommand<BackfillStatus>(Backfill, args('--resume'))
    expect(resumed.result?.state).toBe('done')
    expect(worker.state.requests.some((r) => r.method === 'POST')).toBe(false)
  })

  it('fails a backfill whose accounts failed, naming the first', async () => {
    worker.state.backfill = {
      state: 'running',
      scope: 'all',
      done: 0,
      total: 1,
      counting: false,
      invoices: 0,
      payments: 0,
      failed: [{ accountId: OTHER, error: 'no billing customer linked' }],
    }
    const run = await runCommand(Backfill, args('--resume', '--poll-interval', '50'))
    expectAdminError(
      run,
      /Backfilling failed/,
      /1 account\(s\) failed \(first: 001000000000002AAA: no billing customer linked\)/,
    )
  })

  it('replays from the stored replay id, or from an earlier one; a later one is refused by the worker', async () => {
    const refused = await runCommand(Replay, args('--from', '50'))
    expectAdminError(
      refused,
      /Replaying from replay id 50 failed/,
      /400 validation_failed: Replay id 50 is past the stored one \(41\)/,
    )
    expect(worker.state.subscriber.replayId).toBe(41)

    const here = await runCommand<{ run?: { toReplayId?: number } }>(
      Replay,
      args('--from', '41', '--wait', '--poll-interval', '50'),
    )
    expect(here.error).toBeUndefined()
    expect(here.result?.run?.toReplayId).toBe(43)
    expect(here.stdout).toContain('replay id 41 → 43')

    worker.state.requests.length = 0
    const back = await runCommand<{ fromReplayId?: number; run?: { fromReplayId?: number } }>(
      Replay,
      args('--from', '12', '--wait', '--poll-interval', '50'),
    )
    expect(back.error).toBeUndefined()
    expect(worker.state.requests.filter((r) => r.method === 'POST')).toEqual([
      expect.objectContaining({ path: '/v1/subscriber/run', body: { fromReplayId: 12 } }),
    ])
    expect(back.result).toMatchObject({ fromReplayId: 12, run: { fromReplayId: 12 } })
    expect(back.stdout).toContain('after replay id 12')
    expect(back.stdout).toContain('replay id 12 → 14')
  })
})
