import type { FaultRule } from '../emulators/common/faults.ts'
import type { BenchStack } from '../bench/stack.ts'

/** One disruption, due once this share (0..1) of the amendments has a final status in Salesforce. */
export interface Disruption {
  at: number
  kind: 'crash' | 'stripe-outage' | 'netsuite-outage' | 'salesforce-outage'
  seconds?: number
}

/**
 * The run's disruptions: an outage of each vendor and three crashes of the worker process, spread
 * over the run. Rate faults (below) hold from the start until `faultsEndAt`.
 */
export const DISRUPTIONS: readonly Disruption[] = [
  { at: 0.1, kind: 'stripe-outage', seconds: 20 },
  { at: 0.25, kind: 'crash' },
  { at: 0.4, kind: 'netsuite-outage', seconds: 30 },
  { at: 0.55, kind: 'crash' },
  { at: 0.7, kind: 'salesforce-outage', seconds: 20 },
  { at: 0.85, kind: 'crash' },
]

/**
 * About one vendor request in six faulted: throttling with `Retry-After`, server errors, writes
 * that take effect but lose their answer, and a few that never answer.
 */
export const RATE_FAULTS: Record<'stripe' | 'netsuite' | 'salesforce', FaultRule[]> = {
  stripe: [
    { route: '/v1/', status: 429, rate: 0.07, retryAfter: 1 },
    { route: '/v1/', status: 500, rate: 0.04 },
    { route: 'POST /v1/subscriptions', status: 503, rate: 0.05, afterEffect: true },
    { route: 'POST /v1/subscriptions', hang: true, count: 3 },
  ],
  netsuite: [
    { route: '/record/v1/', status: 429, rate: 0.07, retryAfter: 1 },
    { route: '/record/v1/', status: 503, rate: 0.04 },
    {
      route: 'PUT /services/rest/record/v1/salesOrder',
      status: 503,
      rate: 0.05,
      afterEffect: true,
    },
  ],
  salesforce: [{ route: '/composite', status: 503, rate: 0.06 }],
}

/** Sets (or with `[]` clears) each emulator's rate faults, seeded so a run can be replayed. */
export function setRateFaults(stack: BenchStack, seed: number, on: boolean): void {
  const { stripe, netsuite, salesforce } = stack.vendors
  for (const [i, emulator] of [stripe, netsuite, salesforce].entries()) {
    const name = (['stripe', 'netsuite', 'salesforce'] as const)[i] ?? 'stripe'
    emulator.faults.seed(seed + i)
    emulator.faults.set(on ? RATE_FAULTS[name] : [])
  }
}

/**
 * Carries out one disruption: an outage is started (every request to that vendor answers 503 with
 * `Retry-After` until it ends), a crash kills `wrangler dev` and starts it again.
 * @returns when the disruption is over (epoch ms): the outage's end, or the restart's.
 */
export async function disrupt(stack: BenchStack, d: Disruption): Promise<number> {
  if (d.kind === 'crash') {
    await stack.crash()
    return Date.now()
  }
  const vendor = d.kind.replace('-outage', '') as 'stripe' | 'netsuite' | 'salesforce'
  const outage = stack.vendors[vendor].faults.addOutage(d.seconds ?? 20, 503)
  return outage.untilMs
}
