import { env, exports } from 'cloudflare:workers'
import { runDurableObjectAlarm } from 'cloudflare:test'
import { vi } from 'vitest'
import { toId18 } from '../../../shared/index.ts'
import { signRequest } from '../../../worker/lib/signature.ts'
import type { OrgWriter } from '../../../worker/objects/org-writer.ts'
import type { RecordSink } from '../../../worker/writer/types.ts'
import { until } from '../../support/poll.ts'
import {
  TEST_EVENTS_SECRET,
  TEST_EVENTS_SECRET_PREVIOUS,
  TEST_OPERATOR_TOKEN,
} from './test-config.ts'

export const ACCOUNT_A = '001Hs00000Xk9ZpIAJ'
export const ACCOUNT_B = '001Hs00000Yq3RtIAB'

/** A fresh Account id, so a test's ledger starts empty (storage is shared within a file). */
export function newAccountId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  return toId18(`001${[...bytes].map((b) => alphabet[b % alphabet.length]).join('')}`)
}

/** A valid `Subscription_Amendment__e` as Salesforce serializes it; override any field. */
export function amendmentEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    attributes: { type: 'Subscription_Amendment__e' },
    EventUuid: crypto.randomUUID(),
    ReplayId: String(Math.floor(Math.random() * 1e8)),
    CreatedDate: '2026-11-21T09:30:02.000+0000',
    CreatedById: '005Hs00000A1b2cIAB',
    Account_Id__c: ACCOUNT_A,
    Subscription_Key__c: `SUB-${crypto.randomUUID().slice(0, 8)}`,
    Sequence__c: 1,
    Action__c: 'create',
    Price_Key__c: 'pro-monthly-usd',
    Quantity__c: 10,
    Effective_Date__c: null,
    Proration__c: 'create_prorations',
    Cancel_Mode__c: null,
    Correlation_Id__c: crypto.randomUUID(),
    Requested_By__c: '005Hs00000A1b2cIAB',
    ...overrides,
  }
}

/** The amendments 1..n of one subscription: a create, then quantity changes. */
export function amendmentChain(
  n: number,
  overrides: Record<string, unknown> = {},
): Array<Record<string, unknown>> {
  const key = `SUB-${crypto.randomUUID().slice(0, 8)}`
  return Array.from({ length: n }, (_, i) =>
    amendmentEvent(
      i === 0
        ? { Subscription_Key__c: key, Sequence__c: 1, ...overrides }
        : {
            Subscription_Key__c: key,
            Sequence__c: i + 1,
            Action__c: 'change_quantity',
            Price_Key__c: null,
            Quantity__c: 10 + i,
            ...overrides,
          },
    ),
  )
}

/** Posts a signed intake request, as the Apex Queueable does. */
export async function postEvents(
  events: unknown[],
  opts: {
    secret?: string
    timestamp?: number
    body?: string
    headers?: Record<string, string>
  } = {},
): Promise<Response> {
  const body = opts.body ?? JSON.stringify({ events })
  const headers = await signRequest(
    opts.secret ?? TEST_EVENTS_SECRET,
    { method: 'POST', target: '/v1/salesforce/events', body },
    { timestamp: opts.timestamp },
  )
  return exports.default.fetch('https://concord.test/v1/salesforce/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers, ...opts.headers },
    body,
  })
}

export function operatorFetch(
  path: string,
  init: RequestInit & { token?: string } = {},
): Promise<Response> {
  const headers = new Headers(init.headers)
  headers.set('authorization', `Bearer ${init.token ?? TEST_OPERATOR_TOKEN}`)
  if (init.body) headers.set('content-type', 'application/json')
  return exports.default.fetch(`https://concord.test${path}`, { ...init, headers })
}

export function ledger(accountId = ACCOUNT_A) {
  return env.ACCOUNT_LEDGER.getByName(toId18(accountId))
}

/**
 * Freezes `Date` a day ahead of the wall clock. The objects' alarms then fall in the runtime's
 * future, so only the test runs them (`drain`). Frozen at the real time, a slow machine let the
 * runtime fire an alarm itself, racing the test, and evicting an object in the middle of that
 * alarm hung workerd (a 5 s test timeout in CI, about one run in eight on a loaded machine).
 */
export function freezeClockAhead(): void {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 86_400_000 })
}

/**
 * Runs the account's alarm until the pump is quiet: nothing due now and no run in progress.
 * An alarm set for later is left alone: move the clock (`vi.setSystemTime`) to reach it.
 * @throws when work is due but no alarm is armed for long: the ledger would stall in production.
 */
export async function drain(accountId = ACCOUNT_A, maxRuns = 100): Promise<number> {
  const stub = ledger(accountId)
  let runs = 0
  await until(
    `ledger ${accountId} to finish its due work (no alarm ran although work is due: it would stall in production)`,
    async () => {
      for (let state = await stub.pumpState(); ; state = await stub.pumpState()) {
        if (runs >= maxRuns) return true
        const alarmDue = state.alarmAt !== null && state.alarmAt <= Date.now() && !state.pumping
        if (!alarmDue) return !state.pumping && !state.dueNow
        await runDurableObjectAlarm(stub)
        runs++
      }
    },
    // The runtime's own alarm is running or about to: let it finish rather than race it.
    { intervalMs: 2, describe: () => stub.pumpState() },
  )
  return runs
}

/**
 * Stands `sink` in for every OrgWriter the worker reaches (`ORG_WRITER.getByName`) until
 * `vi.restoreAllMocks()`: the ledgers hand their records to it instead.
 */
export function useRecordSink(sink: RecordSink) {
  return vi
    .spyOn(env.ORG_WRITER, 'getByName')
    .mockImplementation(() => sink as unknown as DurableObjectStub<OrgWriter>)
}

/** Runs the org writer until nothing is pending or due (its flush interval is 50 ms in tests). */
export async function drainWriter(name = 'org'): Promise<void> {
  const writer = env.ORG_WRITER.getByName(name)
  await until(
    `writer ${name} to have nothing pending`,
    async () => {
      const state = await writer.flushState()
      const status = await writer.status()
      if (!state.flushing && status.pending === 0 && status.hints === 0) return true
      if (!state.flushing && state.alarmAt !== null && state.alarmAt <= Date.now())
        await runDurableObjectAlarm(writer)
      return false
    },
    { intervalMs: 20, describe: () => writer.status() },
  )
}

/** Asserts an error answer is the public shape and carries nothing internal. */
export async function expectSafeError(
  res: Response,
): Promise<{ code: string; message: string; requestId: string; details?: unknown }> {
  const text = await res.text()
  const body = JSON.parse(text) as {
    error: { code: string; message: string; requestId: string; details?: unknown }
  }
  if (!body.error?.code || !body.error.message || !body.error.requestId)
    throw new Error(`not an error body: ${text}`)
  for (const leak of [
    /at .*\.ts:\d+/,
    /stack/i,
    /SQLITE/i,
    /internalMessage/,
    TEST_EVENTS_SECRET,
    TEST_EVENTS_SECRET_PREVIOUS,
    /TypeError|ReferenceError/,
  ]) {
    if (typeof leak === 'string' ? text.includes(leak) : leak.test(text))
      throw new Error(`error body leaks internals (${leak}): ${text}`)
  }
  return body.error
}

/** The URL a mocked `fetch` was called with, whichever form the caller passed it in. */
export function requestUrl(input: RequestInfo | URL): string {
  return input instanceof Request ? input.url : input.toString()
}

/** The body a mocked `fetch` was called with, when it was text (the connectors send JSON text). */
export function requestBody(init: RequestInit | undefined): string {
  return typeof init?.body === 'string' ? init.body : ''
}
