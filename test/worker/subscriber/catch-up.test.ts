import { env } from 'cloudflare:workers'
import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { useConnectorFactory } from '../support/wiring.ts'
import { AccountLedger } from '../../../worker/objects/account-ledger.ts'
import worker from '../../../worker/index.ts'
import { useSubscriberSettings } from '../support/wiring.ts'
import type { SubscriberStatus } from '../../../worker/subscriber/event-subscriber.ts'
import { DoubleConnectors } from '../../doubles/connectors.ts'
import {
  expectSafeError,
  ledger,
  newAccountId,
  operatorFetch,
  postEvents,
} from '../support/helpers.ts'
import { TEST_VIEWER_TOKEN } from '../support/test-config.ts'
import {
  amendment,
  asApexJson,
  channelOf,
  control,
  deliveredUuids,
  emulatorState,
  publish,
  recordCometd,
  runSubscriber,
  subscriber,
  waitForRun,
} from './support.ts'

/** Amendments stored in an account's ledger, by state; undefined when the ledger is empty. */
async function ledgerCount(accountId: string): Promise<number> {
  const summary = await ledger(accountId).summary()
  return Object.values(summary?.counts ?? {}).reduce((a, b) => a + b, 0)
}

const status = (): Promise<SubscriberStatus> => subscriber().status()

beforeAll(() => {
  // The shared emulator holds an idle connect for Salesforce's 110 s; we stop waiting after
  // 300 ms. Failed runs retry far beyond the file's duration, so no stray run takes events.
  useSubscriberSettings({ connectTimeoutMs: 300, retryBaseMs: 3_600_000, retryCapMs: 3_600_000 })
  // The ledgers' own pumps run against doubles: these tests are about getting events in.
  useConnectorFactory(() => new DoubleConnectors())
})
afterAll(() => {
  useSubscriberSettings()
  useConnectorFactory()
})
afterEach(async () => {
  vi.restoreAllMocks()
  await runInDurableObject(subscriber(), (_instance, state) => state.storage.deleteAlarm())
})

describe('EventSubscriber', () => {
  it('catches up on events published while nobody listened, into the right ledgers exactly once', async () => {
    const [a, b] = [newAccountId(), newAccountId()]
    const published = await publish([
      amendment(a, 'SUB-A', 1),
      amendment(b, 'SUB-B', 1),
      amendment(a, 'SUB-A', 2),
      amendment(a, 'SUB-A', 3),
      amendment(b, 'SUB-B', 2),
    ])
    // Two of them also came the primary way, through the Apex callout.
    const pushed = await postEvents([
      await asApexJson(published[0]!),
      await asApexJson(published[1]!),
    ])
    expect(pushed.status).toBe(200)

    const traffic = recordCometd()
    const run = await runSubscriber()

    expect(run).toMatchObject({ outcome: 'drained', trigger: 'test' })
    expect(deliveredUuids(traffic)).toEqual(
      expect.arrayContaining(published.map((p) => p.EventUuid)),
    )
    expect(run.counts.duplicate).toBeGreaterThanOrEqual(2)
    expect(run.counts.queued).toBeGreaterThanOrEqual(3)
    expect(await ledgerCount(a)).toBe(3)
    expect(await ledgerCount(b)).toBe(2)
    for (const [i, p] of published.entries()) {
      const detail = await ledger(i === 1 || i === 4 ? b : a).amendment(p.EventUuid)
      expect(detail?.id, `event ${i}`).toBe(p.EventUuid)
    }
    const after = await status()
    expect(after.replayId).toBeGreaterThanOrEqual(published.at(-1)!.replayId)
    expect(after.health).toBe('ok')
    expect(after.lastEventAt).toMatch(/Z$/)
  })

  it('stores the replay id, and the next run receives only newer events', async () => {
    const account = newAccountId()
    const older = await publish([amendment(account, 'SUB-1', 1), amendment(account, 'SUB-1', 2)])
    await runSubscriber()
    const stored = (await status()).replayId
    expect(stored).toBeGreaterThanOrEqual(older[1]!.replayId)

    const newer = await publish([amendment(account, 'SUB-1', 3)])
    const traffic = recordCometd()
    const run = await runSubscriber()

    const subscribe = traffic.find((x) => channelOf(x) === '/meta/subscribe')
    expect(subscribe?.request.messages[0]?.ext).toEqual({
      replay: { '/event/Subscription_Amendment__e': stored },
    })
    const delivered = deliveredUuids(traffic)
    expect(delivered).toContain(newer[0]!.EventUuid)
    expect(delivered).not.toContain(older[0]!.EventUuid)
    expect(delivered).not.toContain(older[1]!.EventUuid)
    expect(run.fromReplayId).toBe(stored)
    expect(run.toReplayId).toBeGreaterThanOrEqual(newer[0]!.replayId)
    expect(await ledgerCount(account)).toBe(3)
  })

  it('returns the BAYEUX_BROWSER cookie and the bearer token on every call after the handshake', async () => {
    const account = newAccountId()
    const [event] = await publish([amendment(account, 'SUB-C', 1)])
    const traffic = recordCometd()
    await runSubscriber()

    const [handshake, ...rest] = traffic
    expect(channelOf(handshake!)).toBe('/meta/handshake')
    expect(handshake!.request.messages[0]).toMatchObject({
      version: '1.0',
      supportedConnectionTypes: ['long-polling'],
      ext: { replay: true },
    })
    const cookie = handshake!.setCookie.find((c) => c.startsWith('BAYEUX_BROWSER='))?.split(';')[0]
    expect(cookie).toMatch(/^BAYEUX_BROWSER=\w+$/)
    expect(rest.map(channelOf)).toEqual(
      expect.arrayContaining(['/meta/subscribe', '/meta/connect', '/meta/disconnect']),
    )
    for (const x of traffic) expect(x.request.headers.get('authorization')).toMatch(/^Bearer \S+$/)
    for (const x of rest) expect(x.request.headers.get('cookie')?.split('; ')).toContain(cookie)
    expect(deliveredUuids(traffic)).toContain(event!.EventUuid)
  })

  it('is refused by the emulator when the cookie is not sent, and stores nothing', async () => {
    const account = newAccountId()
    const [event] = await publish([amendment(account, 'SUB-D', 1)])
    const before = (await status()).replayId
    const traffic = recordCometd({ headers: (h) => h.delete('cookie') })
    const run = await runSubscriber()

    expect(run.outcome).toBe('failed')
    expect(run.error?.code).toBe('handshake_loop')
    expect(run.error?.message).toMatch(/no BAYEUX_BROWSER cookie present/)
    expect(traffic.filter((x) => channelOf(x) === '/meta/handshake')).toHaveLength(5)
    expect(deliveredUuids(traffic)).toEqual([])
    const after = await status()
    expect(after).toMatchObject({ health: 'failing', replayId: before, consecutiveFailures: 1 })
    expect(after.lastError?.code).toBe('handshake_loop')
    expect(await ledgerCount(account)).toBe(0)

    vi.restoreAllMocks()
    await runSubscriber()
    expect((await ledger(account).amendment(event!.EventUuid))?.id).toBe(event!.EventUuid)
    expect(await status()).toMatchObject({ health: 'ok', consecutiveFailures: 0 })
  })

  it('handshakes again when Salesforce forgets the client (403::Unknown client)', async () => {
    const account = newAccountId()
    const [event] = await publish([amendment(account, 'SUB-E', 1)])
    let dropped = false
    const traffic = recordCometd({
      before: async (messages) => {
        if (dropped || messages[0]?.channel !== '/meta/connect') return
        dropped = true
        await control('dropClients')
      },
    })
    const run = await runSubscriber()

    const refused = traffic.find((x) => x.messages.some((m) => m.error === '403::Unknown client'))
    expect(refused?.messages[0]).toMatchObject({
      successful: false,
      advice: { reconnect: 'handshake' },
    })
    expect(traffic.filter((x) => channelOf(x) === '/meta/handshake')).toHaveLength(2)
    expect(run).toMatchObject({ outcome: 'drained', handshakes: 2 })
    expect(deliveredUuids(traffic)).toContain(event!.EventUuid)
    expect(await ledgerCount(account)).toBe(1)
  })

  it('mints a new token once on 401::Authentication invalid and carries on', async () => {
    const account = newAccountId()
    const [event] = await publish([amendment(account, 'SUB-F', 1)])
    let expired = false
    const traffic = recordCometd({
      before: async (messages) => {
        if (expired || messages[0]?.channel !== '/meta/subscribe') return
        expired = true
        await control('expireTokens')
      },
    })
    const minted = (await emulatorState()).tokensMinted
    const run = await runSubscriber()

    const refused = traffic.find((x) =>
      x.messages.some((m) => m.error === '401::Authentication invalid'),
    )
    expect(channelOf(refused!)).toBe('/meta/subscribe')
    expect((await emulatorState()).tokensMinted).toBeGreaterThan(minted)
    const tokens = new Set(traffic.map((x) => x.request.headers.get('authorization')))
    expect(tokens.size).toBe(2)
    expect(run).toMatchObject({ outcome: 'drained', handshakes: 2 })
    expect(await ledgerCount(account)).toBe(1)
    expect(deliveredUuids(traffic)).toContain(event!.EventUuid)
  })

  it('gives up after one re-mint when the new token is refused too', async () => {
    const traffic = recordCometd({
      before: async (messages) => {
        if (messages[0]?.channel === '/meta/subscribe') await control('expireTokens')
      },
    })
    const run = await runSubscriber()

    expect(run.outcome).toBe('failed')
    expect(run.error).toEqual({
      code: 'auth_failed',
      message: expect.stringContaining('401::Authentication invalid'),
    })
    expect(traffic.filter((x) => channelOf(x) === '/meta/subscribe')).toHaveLength(2)
    expect((await status()).health).toBe('failing')
  })

  it('reports a gap when the stored replay id is past retention, resubscribes from -2 and loses nothing retained', async () => {
    const account = newAccountId()
    await runSubscriber()
    await publish([amendment(account, 'SUB-G', 1)])
    await runSubscriber()
    const { replayId: lost, lastEventAt } = await status()
    // Beyond the 72 h retention. Moving the shared emulator's clock 73 h would also expire
    // every other suite's tokens and JWT assertions, so the purge is done directly.
    await control('purgeEvents', { olderThanHours: 0 })
    const [kept] = await publish([amendment(account, 'SUB-G', 2)])
    const traffic = recordCometd()
    const run = await runSubscriber()

    const subscribes = traffic.filter((x) => channelOf(x) === '/meta/subscribe')
    expect(subscribes.map((x) => x.request.messages[0]?.ext)).toEqual([
      { replay: { '/event/Subscription_Amendment__e': lost } },
      { replay: { '/event/Subscription_Amendment__e': -2 } },
    ])
    expect(String(subscribes[0]?.messages[0]?.error)).toMatch(
      /^400::The replayId \{\d+\} you provided was invalid/,
    )
    expect(run.outcome).toBe('drained')
    expect(run.error).toBeUndefined()
    expect(await ledgerCount(account)).toBe(2)
    expect((await ledger(account).amendment(kept!.EventUuid))?.sequence).toBe(2)

    const after = await status()
    expect(after.health).toBe('gap')
    expect(after.openGaps).toBe(1)
    expect(after.gaps[0]).toMatchObject({
      afterReplayId: lost,
      afterEventAt: lastEventAt,
      resumedReplayId: kept!.replayId,
      resumedEventAt: expect.stringMatching(/Z$/),
      serverError: expect.stringMatching(/you provided was invalid/),
    })
    expect(after.replayId).toBeGreaterThanOrEqual(kept!.replayId)

    // The next run starts from the new position: no second gap.
    await runSubscriber()
    expect((await status()).gaps).toHaveLength(1)
    const gapQueue = async () =>
      (
        await (
          await operatorFetch('/v1/exceptions?code=replay_id_expired')
        ).json<{
          items: Array<{ id: string }>
        }>()
      ).items.filter((i) => i.id === `subscriber_gap:${after.gaps[0]!.id}`)
    expect(await gapQueue()).toEqual([
      expect.objectContaining({ category: 'needs_data_fix', system: 'salesforce' }),
    ])

    const res = await operatorFetch(`/v1/subscriber/gaps/${after.gaps[0]!.id}/acknowledge`, {
      method: 'POST',
    })
    expect(res.status).toBe(200)
    expect((await res.json<{ gap: { acknowledgedBy: string } }>()).gap.acknowledgedBy).toBe(
      'ops-alice',
    )
    expect((await status()).health).toBe('ok')
    expect(await gapQueue()).toEqual([])
  })

  it('does not move the replay id past events the intake failed to store, and replays them next run', async () => {
    const [ok, broken] = [newAccountId(), newAccountId()]
    const before = (await status()).replayId
    const published = await publish([amendment(broken, 'SUB-H', 1), amendment(ok, 'SUB-I', 1)])
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with .call(this, ...)
    const enqueue = AccountLedger.prototype.enqueue
    vi.spyOn(AccountLedger.prototype, 'enqueue').mockImplementation(function (
      this: AccountLedger,
      amendments,
    ) {
      if (amendments[0]?.accountId === broken)
        return Promise.reject(new Error('storage unavailable'))
      return enqueue.call(this, amendments)
    })
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const run = await runSubscriber()

    expect(
      logged.mock.calls.map((c) => JSON.parse(String(c[0])) as { msg: string; accountId?: string }),
    ).toContainEqual(expect.objectContaining({ msg: 'ledger enqueue failed', accountId: broken }))
    expect(run).toMatchObject({ outcome: 'failed', error: { code: 'intake_failed' } })
    expect(run.counts).toMatchObject({ failed: 1, queued: 1 })
    expect((await status()).replayId).toBe(before)
    expect(await ledgerCount(broken)).toBe(0)
    expect(await ledgerCount(ok)).toBe(1)

    vi.restoreAllMocks()
    const traffic = recordCometd()
    const again = await runSubscriber()
    expect(deliveredUuids(traffic)).toEqual(
      expect.arrayContaining(published.map((p) => p.EventUuid)),
    )
    expect(again).toMatchObject({ outcome: 'drained' })
    expect(again.counts).toMatchObject({ queued: 1, duplicate: 1, failed: 0 })
    expect(await ledgerCount(broken)).toBe(1)
    expect(await ledgerCount(ok)).toBe(1)
    expect((await status()).replayId).toBeGreaterThanOrEqual(published[1]!.replayId)
  })

  it('re-arms its own alarm while a backlog remains, until drained', async () => {
    useSubscriberSettings({
      connectTimeoutMs: 300,
      retryBaseMs: 3_600_000,
      retryCapMs: 3_600_000,
      maxEventsPerRun: 2,
    })
    const account = newAccountId()
    const published = await publish([1, 2, 3, 4, 5].map((n) => amendment(account, 'SUB-K', n)))
    const first = await runSubscriber()
    expect(first.outcome).toBe('budget')
    const next = await waitForRun(first.id)
    expect(next).toMatchObject({ trigger: 'continue', outcome: 'drained' })
    expect(await ledgerCount(account)).toBe(5)
    expect((await status()).replayId).toBeGreaterThanOrEqual(published[4]!.replayId)
    useSubscriberSettings({ connectTimeoutMs: 300, retryBaseMs: 3_600_000, retryCapMs: 3_600_000 })
  })

  it('is kicked by the cron trigger', async () => {
    const run = await runSubscriber(async () => {
      const ctx = createExecutionContext()
      worker.scheduled(createScheduledController({ cron: '*/5 * * * *' }), env, ctx)
      await waitOnExecutionContext(ctx)
    })
    expect(run.trigger).toBe('cron')
  })
})

describe('/v1/subscriber', () => {
  it('shows the status to a viewer', async () => {
    const res = await operatorFetch('/v1/subscriber', { token: TEST_VIEWER_TOKEN })
    expect(res.status).toBe(200)
    const body = await res.json<SubscriberStatus>()
    expect(body).toMatchObject({
      channel: '/event/Subscription_Amendment__e',
      replayId: expect.any(Number),
      totals: { runs: expect.any(Number) },
    })
    expect(body.recentRuns.length).toBeGreaterThan(0)
  })

  it('refuses a missing token and lets only an operator start a run', async () => {
    const anonymous = await operatorFetch('/v1/subscriber', { token: 'nope' })
    expect(anonymous.status).toBe(401)
    await expectSafeError(anonymous)
    const viewer = await operatorFetch('/v1/subscriber/run', {
      method: 'POST',
      token: TEST_VIEWER_TOKEN,
    })
    expect(viewer.status).toBe(403)
    await expectSafeError(viewer)
  })

  it('starts a run for an operator', async () => {
    const account = newAccountId()
    const [event] = await publish([amendment(account, 'SUB-J', 1)])
    const run = await runSubscriber(async () => {
      const res = await operatorFetch('/v1/subscriber/run', { method: 'POST' })
      expect(res.status).toBe(202)
      return res.json()
    })
    expect(run.trigger).toBe('operator:ops-alice')
    expect((await ledger(account).amendment(event!.EventUuid))?.id).toBe(event!.EventUuid)
  })

  it('answers 404 for an unknown gap', async () => {
    const res = await operatorFetch('/v1/subscriber/gaps/999999/acknowledge', { method: 'POST' })
    expect(res.status).toBe(404)
    await expectSafeError(res)
  })
})
