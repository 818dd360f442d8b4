import * as z from 'zod'
import { ConfigError } from '../errors.ts'

/** Subscriber settings (all optional `[vars]`; the defaults suit production). */
export interface SubscriberEnv {
  /** How long an idle `/meta/connect` is waited for (and asked for) before the backlog counts as drained. */
  SUBSCRIBER_CONNECT_TIMEOUT_MS?: string
  /** Wall time one run may take before it stops and re-arms its alarm (alarms get 15 minutes). */
  SUBSCRIBER_RUN_BUDGET_MS?: string
  /** Events one run takes before it stops and re-arms (keeps a run well inside subrequest limits). */
  SUBSCRIBER_MAX_EVENTS_PER_RUN?: string
  /** Events handed to the intake at once. */
  SUBSCRIBER_BATCH_SIZE?: string
  /** Where the very first run starts: -2 everything retained (72 h), -1 only new events. */
  SUBSCRIBER_INITIAL_REPLAY_ID?: string
  SALESFORCE_API_VERSION?: string
}

export interface SubscriberSettings {
  connectTimeoutMs: number
  runBudgetMs: number
  maxEventsPerRun: number
  batchSize: number
  initialReplayId: -1 | -2
  apiVersion: string
  retryBaseMs: number
  retryCapMs: number
}

const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback)

const Schema = z.object({
  SUBSCRIBER_CONNECT_TIMEOUT_MS: int(10_000, 50, 110_000),
  SUBSCRIBER_RUN_BUDGET_MS: int(240_000, 1_000, 600_000),
  SUBSCRIBER_MAX_EVENTS_PER_RUN: int(5_000, 1, 50_000),
  SUBSCRIBER_BATCH_SIZE: int(200, 1, 2_000),
  SUBSCRIBER_INITIAL_REPLAY_ID: z.enum(['-1', '-2']).default('-2'),
  SALESFORCE_API_VERSION: z
    .string()
    .regex(/^\d{2,3}\.0$/, 'must look like 65.0')
    .default('65.0'),
})

let overrides: Partial<SubscriberSettings> = {}

/**
 * Reads the subscriber's settings.
 * @throws ConfigError naming the bad variables.
 */
export function subscriberSettings(env: SubscriberEnv): SubscriberSettings {
  const parsed = Schema.safeParse(env)
  if (!parsed.success) {
    throw new ConfigError(
      `invalid subscriber configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    )
  }
  const s = parsed.data
  return {
    connectTimeoutMs: s.SUBSCRIBER_CONNECT_TIMEOUT_MS,
    runBudgetMs: s.SUBSCRIBER_RUN_BUDGET_MS,
    maxEventsPerRun: s.SUBSCRIBER_MAX_EVENTS_PER_RUN,
    batchSize: s.SUBSCRIBER_BATCH_SIZE,
    initialReplayId: s.SUBSCRIBER_INITIAL_REPLAY_ID === '-1' ? -1 : -2,
    apiVersion: s.SALESFORCE_API_VERSION,
    retryBaseMs: 5_000,
    retryCapMs: 300_000,
    ...overrides,
  }
}

/**
 * Replaces settings for the worker tests, which share one emulator whose idle long-poll is
 * Salesforce's 110 s; pass nothing to restore the configured ones.
 */
export function useSubscriberSettings(next: Partial<SubscriberSettings> = {}): void {
  overrides = next
}
