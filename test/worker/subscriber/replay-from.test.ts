import { runInDurableObject } from 'cloudflare:test'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { useConnectorFactory, useSubscriberSettings } from '../support/wiring.ts'
import { DoubleConnectors } from '../../doubles/connectors.ts'
import { expectSafeError, ledger, newAccountId, operatorFetch } from '../support/helpers.ts'
import { TEST_VIEWER_TOKEN } from '../support/test-config.ts'
import {
  amendment,
  channelOf,
  deliveredUuids,
  publish,
  recordCometd,
  runSubscriber,
  subscriber,
} from './support.ts'

beforeAll(() => {
  useSubscriberSettings({ connectTimeoutMs: 300, retryBaseMs: 3_600_000, retryCapMs: 3_600_000 })
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

const replayFrom = (body: unknown, token?: string) =>
  operatorFetch('/v1/subscriber/run', {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    token,
  })

describe('POST /v1/subscriber/run with fromReplayId', () => {
  it('moves the cursor back and replays from there; the events already taken come as duplicates', async () => {
    const account = newAccountId()
    const published = await publish([
      amendment(account, 'SUB-R', 1),
      amendment(account, 'SUB-R', 2),
      amendment(account, 'SUB-R', 3),
    ])
    await runSubscriber()
    const stored = (await subscriber().status()).replayId ?? -1
    expect(stored).toBeGreaterThanOrEqual(published[2]!.replayId)

    const from = published[0]!.replayId
    const traffic = recordCometd()
    const run = await runSubscriber(async () => {
      const res = await replayFrom({ fromReplayId: from })
      expect(res.status).toBe(202)
      const body = await res.json<{ status: string; fromReplayId: number }>()
      expect(body).toMatchObject({ status: 'scheduled', fromReplayId: from })
      return body
    })

    const subscribe = traffic.find((x) => channelOf(x) === '/meta/subscribe')
    expect(subscribe?.request.messages[0]?.ext).toEqual({
      replay: { '/event/Subscription_Amendment__e': from },
    })
    const delivered = deliveredUuids(traffic)
    expect(delivered).toEqual(
      expect.arrayContaining([published[1]!.EventUuid, published[2]!.EventUuid]),
    )
    expect(delivered).not.toContain(published[0]!.EventUuid)
    expect(run).toMatchObject({ trigger: `operator:ops-alice from ${from}`, fromReplayId: from })
    expect(run.counts.duplicate).toBeGreaterThanOrEqual(2)
    expect(run.counts.queued).toBe(0)
    const summary = await ledger(account).summary()
    expect(Object.values(summary?.counts ?? {}).reduce((a, b) => a + b, 0)).toBe(3)
    expect((await subscriber().status()).replayId).toBeGreaterThanOrEqual(stored)
  })

  it('refuses to move the cursor forward, and leaves it where it was', async () => {
    await publish([amendment(newAccountId(), 'SUB-F', 1)])
    await runSubscriber()
    const stored = (await subscriber().status()).replayId ?? 0
    const res = await replayFrom({ fromReplayId: stored + 1000 })
    expect(res.status).toBe(400)
    const error = await expectSafeError(res)
    expect(error.message).toContain('past the stored one')
    expect(error.details).toEqual([
      { field: 'fromReplayId', message: expect.stringContaining('skip events') },
    ])
    expect((await subscriber().status()).replayId).toBe(stored)
  })

  it('refuses a replay id that is no replay position, or is not a number', async () => {
    for (const body of [{ fromReplayId: -7 }, { fromReplayId: 1.5 }, { fromReplayId: '12' }, '{'])
      expect((await replayFrom(body)).status, JSON.stringify(body)).toBe(400)
  })

  it('lets only an operator rewind', async () => {
    const res = await replayFrom({ fromReplayId: -2 }, TEST_VIEWER_TOKEN)
    expect(res.status).toBe(403)
  })
})
