import { env } from 'cloudflare:workers'
import { runDurableObjectAlarm } from 'cloudflare:test'
import { expect, inject, vi } from 'vitest'
import {
  SUBSCRIBER_NAME,
  type KickResult,
  type SubscriberStatus,
} from '../../../worker/subscriber/event-subscriber.ts'
import type { RunView } from '../../../worker/subscriber/rows.ts'
import { until } from '../../support/poll.ts'

/**
 * Helpers for the CometD subscriber suites. They talk to the Salesforce emulator every worker
 * test file shares, so each test publishes events for fresh accounts and asserts on its own.
 */

const { salesforceUrl } = inject('vendors')
export { salesforceUrl }

export const REP_USER_ID = '005Hs00000A1b2cIAB'

type Json = Record<string, unknown>

export async function control<T = Json>(action: string, body: unknown = {}): Promise<T> {
  const res = await fetch(`${salesforceUrl}/__control/salesforce/${action}`, {
    method: 'POST',
    body: JSON.stringify(body),
  })
  expect(res.status, action).toBe(200)
  return await res.json()
}

export async function emulatorState(): Promise<{
  tokensMinted: number
  cometd: Record<string, number>
}> {
  return await (
    await fetch(`${salesforceUrl}/__control/state`)
  ).json<{
    tokensMinted: number
    cometd: Record<string, number>
  }>()
}

export interface Published {
  replayId: number
  EventUuid: string
}

/** Publishes amendment events as Apex would (after commit), while no subscriber listens. */
export async function publish(payloads: Json[]): Promise<Published[]> {
  return (
    await control<{ events: Published[] }>('publish', {
      event: 'Subscription_Amendment__e',
      payloads,
    })
  ).events
}

/** The fields of one `Subscription_Amendment__e`: a create for sequence 1, then quantity changes. */
export function amendment(accountId: string, subscriptionKey: string, sequence: number): Json {
  return {
    Account_Id__c: accountId,
    Subscription_Key__c: subscriptionKey,
    Sequence__c: sequence,
    Action__c: sequence === 1 ? 'create' : 'change_quantity',
    Price_Key__c: sequence === 1 ? 'pro-monthly-usd' : null,
    Quantity__c: 10 + sequence,
    Proration__c: 'create_prorations',
    Correlation_Id__c: crypto.randomUUID(),
    Requested_By__c: REP_USER_ID,
  }
}

/** The retained event as Apex's `JSON.serialize` gives it to `POST /v1/salesforce/events`. */
export async function asApexJson(published: Published): Promise<Json> {
  const { events } = await control<{
    events: Array<{
      uuid: string
      replayId: number
      createdAt: number
      createdById: string
      fields: Json
    }>
  }>('events', {
    channel: '/event/Subscription_Amendment__e',
  })
  const e = events.find((x) => x.uuid === published.EventUuid)
  if (!e) throw new Error(`event ${published.EventUuid} is not retained`)
  return {
    attributes: { type: 'Subscription_Amendment__e' },
    ...e.fields,
    EventUuid: e.uuid,
    ReplayId: String(e.replayId),
    CreatedDate: new Date(e.createdAt).toISOString(),
    CreatedById: e.createdById,
  }
}

export const subscriber = () => env.EVENT_SUBSCRIBER.getByName(SUBSCRIBER_NAME)

/**
 * Kicks a run and waits for it to finish. The runtime may start the alarm itself before
 * `runDurableObjectAlarm` does; either way this returns once a run newer than the kick is closed.
 */
export async function runSubscriber(
  kick: () => Promise<unknown> = () => subscriber().kick('test'),
): Promise<RunView> {
  const before = (await subscriber().status()).recentRuns[0]?.id ?? 0
  const kicked = (await kick()) as KickResult | undefined
  if (kicked && 'status' in kicked) expect(kicked.status).toBe('scheduled')
  return waitForRun(before)
}

/**
 * Waits until a run after `afterId` is closed, running the alarm when it is due and the runtime
 * has not started it yet. An alarm set for later (a failed run's retry) is left alone:
 * `runDurableObjectAlarm` would run it at once.
 */
export async function waitForRun(afterId: number): Promise<RunView> {
  const stub = subscriber()
  return until(
    `a subscriber run after #${afterId} to finish`,
    async () => {
      const status: SubscriberStatus = await stub.status()
      const run = status.recentRuns.findLast((r) => r.id > afterId)
      if (!status.running && run?.finishedAt) return run
      const due = status.nextRunAt !== undefined && Date.parse(status.nextRunAt) <= Date.now()
      if (!status.running && due) await runDurableObjectAlarm(stub)
      return undefined
    },
    { describe: () => stub.status() },
  )
}

/** A Bayeux POST the subscriber made, and what came back. */
export interface Exchange {
  request: { headers: Headers; messages: Json[] }
  status: number
  setCookie: string[]
  messages: Json[]
}

/**
 * Records the subscriber's CometD traffic (the Durable Object runs in the test's isolate, so a
 * spy on `fetch` sees its calls) and lets a test act just before a call goes out, or change its
 * headers. Every call still goes to the emulator.
 */
export function recordCometd(
  opts: {
    before?: (messages: Json[]) => Promise<void> | void
    headers?: (headers: Headers) => void
  } = {},
): Exchange[] {
  const traffic: Exchange[] = []
  const real = globalThis.fetch
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init)
    if (!new URL(request.url).pathname.startsWith('/cometd/')) return real(input, init)
    const body = await request.text()
    const messages = JSON.parse(body) as Json[]
    await opts.before?.(messages)
    const headers = new Headers(request.headers)
    opts.headers?.(headers)
    const response = await real(request.url, {
      method: 'POST',
      headers,
      body,
      signal: request.signal,
    })
    const answer = await response.clone().json<Json[]>()
    traffic.push({
      request: { headers, messages },
      status: response.status,
      setCookie: response.headers.getSetCookie(),
      messages: answer,
    })
    return response
  })
  return traffic
}

/** EventUuids of the amendment events the subscriber received in `traffic`. */
export function deliveredUuids(traffic: Exchange[]): string[] {
  return traffic.flatMap((x) =>
    x.messages
      .filter((m) => m.channel === '/event/Subscription_Amendment__e')
      .map((m) => (m.data as { event: { EventUuid: string } }).event.EventUuid),
  )
}

export const channelOf = (x: Exchange) => String(x.request.messages[0]?.channel)
