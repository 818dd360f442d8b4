import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import type { StepTimes } from './amendment-concord.ts'
import type { VendorCalls } from './amendment-watch.ts'
import { fmtMs, fmtNum, percentile, table } from './report.ts'
import type { WorkerSource } from './run.ts'

/** Issue 14's goals for Concord. */
export const GOALS = { minPerS: 100, maxStatusP99Ms: 3_000, statusRatePerS: 50 }

export interface Spread {
  p50?: number
  p95?: number
  p99?: number
  max?: number
}

/** One system (Concord or the baseline) in one mode at one size. */
export interface ModeResult {
  system: 'concord' | 'baseline'
  mode: 'burst' | 'paced'
  size: string
  amendments: number
  accounts: number
  /** Amendments with an applied time, and with their applied status seen in Salesforce. */
  applied: number
  statusSeen: number
  complete: boolean
  /** First intake → last applied. */
  elapsedMs?: number
  perS?: number
  intakeToApplied: Spread
  intakeToStatus: Spread
  /** Concord only: a signed intake POST's round trip. */
  intakeRoundTrip?: Spread
  /** First amendment offered → last one taken by the intake. */
  intakeMs: number
  /** Concord only: the median time in each part of the saga. */
  steps?: StepTimes
  calls: VendorCalls
  perAmendment: { stripe: number; netsuite: number; salesforce: number }
  /**
   * Concord only: CPU ms per amendment of the worker's processes (workerd, wrangler's node),
   * from `/proc` between the first amendment and the writer's last record: load-independent.
   */
  cpuMsPerAmendment?: Record<string, number>
  /** Amendments that did not end applied, with why (first few). */
  problems: string[]
  warnings: string[]
}

export interface AmendmentRunInfo {
  startedAt: Date
  /** The 1-minute load average when the run started: other work on the machine weighs on every figure. */
  loadAtStart: number
  worker: WorkerSource
  config: {
    quick: boolean
    sizes: Array<{ amendments: number; accounts: number }>
    subscriptionsPerAccount: number
    latencyMs: number
    ratePerS: number
    batch: number
    lanes: number
    netsuiteConcurrency: number
    /** Worker variables set for Concord on top of the stack's (`--vars`). */
    concordVars: Record<string, string>
  }
}

export function spread(values: number[]): Spread {
  return {
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: percentile(values, 100),
  }
}

/**
 * The figures of one run from its raw times (epoch ms by amendment id) and vendor calls.
 * Latencies start at intake; throughput is amendments over first intake → last applied.
 */
export function measure(input: {
  system: ModeResult['system']
  mode: ModeResult['mode']
  ids: string[]
  accounts: number
  intakeAt: Map<string, number>
  appliedAt: Map<string, number>
  statusAt: Map<string, number>
  intakeRoundTrips?: number[]
  intakeMs: number
  steps?: StepTimes
  calls: VendorCalls
  /** CPU seconds of the worker's processes over the run, by process name. */
  cpuSeconds?: Record<string, number>
  problems: string[]
  warnings?: string[]
}): ModeResult {
  const since = (at: Map<string, number>) =>
    input.ids.flatMap((id) => {
      const start = input.intakeAt.get(id)
      const end = at.get(id)
      return start !== undefined && end !== undefined ? [end - start] : []
    })
  const firstIntake = Math.min(...input.intakeAt.values())
  const applied = input.ids.filter((id) => input.appliedAt.has(id))
  const lastApplied = Math.max(...applied.map((id) => input.appliedAt.get(id) ?? 0))
  const complete =
    applied.length === input.ids.length && input.ids.every((id) => input.statusAt.has(id))
  const elapsedMs = complete ? lastApplied - firstIntake : undefined
  const n = input.ids.length
  const per = (calls: number) => Math.round((calls / n) * 100) / 100
  return {
    system: input.system,
    mode: input.mode,
    size: `${n} over ${input.accounts}`,
    amendments: n,
    accounts: input.accounts,
    applied: applied.length,
    statusSeen: input.ids.filter((id) => input.statusAt.has(id)).length,
    complete,
    elapsedMs,
    perS: elapsedMs ? Math.round((n / elapsedMs) * 10_000) / 10 : undefined,
    intakeToApplied: spread(since(input.appliedAt)),
    intakeToStatus: spread(since(input.statusAt)),
    intakeRoundTrip: input.intakeRoundTrips ? spread(input.intakeRoundTrips) : undefined,
    intakeMs: input.intakeMs,
    steps: input.steps,
    calls: input.calls,
    perAmendment: {
      stripe: per(input.calls.stripe),
      netsuite: per(input.calls.netsuite),
      salesforce: per(input.calls.salesforce),
    },
    cpuMsPerAmendment: input.cpuSeconds && cpuPer(input.cpuSeconds, n),
    problems: input.problems.slice(0, 10),
    warnings: input.warnings ?? [],
  }
}

function cpuPer(seconds: Record<string, number>, n: number): Record<string, number> {
  const out: Record<string, number> = {}
  let all = 0
  for (const [name, s] of Object.entries(seconds)) {
    out[name] = Math.round((s * 1e5) / n) / 100
    all += s
  }
  out.all = Math.round((all * 1e5) / n) / 100
  return out
}

const cpuLine = (c: Record<string, number> | undefined) =>
  c
    ? `; worker CPU ${c.all} ms per amendment (workerd ${c.workerd ?? 0}, wrangler ${c.node ?? 0})`
    : ''

const triple = (s: Spread) => `${fmtMs(s.p50)} / ${fmtMs(s.p95)} / ${fmtMs(s.p99)}`

/** Each goal for each size: met, missed, or not measured (no such run). */
export function goals(info: AmendmentRunInfo, results: ModeResult[]): string[] {
  const lines: string[] = []
  const find = (size: string, system: ModeResult['system'], mode: ModeResult['mode']) =>
    results.find((r) => r.size === size && r.system === system && r.mode === mode)
  const verdict = (ok: boolean | undefined) =>
    ok === undefined ? 'not measured' : ok ? 'met' : 'MISSED'
  for (const size of [...new Set(results.map((r) => r.size))]) {
    const burst = find(size, 'concord', 'burst')
    const paced = find(size, 'concord', 'paced')
    const base = find(size, 'baseline', 'burst')
    lines.push(
      `  ${size}: ≥ ${GOALS.minPerS} amendments/s: ${verdict(burst?.perS === undefined ? undefined : burst.perS >= GOALS.minPerS)} (${fmtNum(burst?.perS)}/s)`,
    )
    const paced50 = info.config.ratePerS === GOALS.statusRatePerS ? paced : undefined
    const p99 = paced50?.intakeToStatus.p99
    lines.push(
      `  ${size}: p99 to Salesforce status ≤ ${fmtMs(GOALS.maxStatusP99Ms)} at ${GOALS.statusRatePerS}/s: ${verdict(paced50 && paced50.complete && p99 !== undefined ? p99 <= GOALS.maxStatusP99Ms : undefined)} (${fmtMs(p99)})`,
    )
    lines.push(
      `  ${size}: Stripe calls per amendment ≤ baseline: ${verdict(burst && base ? burst.perAmendment.stripe <= base.perAmendment.stripe : undefined)} (${burst?.perAmendment.stripe ?? '—'} vs ${base?.perAmendment.stripe ?? '—'})`,
    )
  }
  return lines
}

/** The human-readable report: what was driven, the table, the goals. */
export function printAmendmentSummary(info: AmendmentRunInfo, results: ModeResult[]): void {
  const c = info.config
  const rows = results.map((r) => [
    `${r.size}  ${r.system === 'concord' ? 'Concord' : 'baseline'} ${r.mode}`,
    r.complete ? fmtNum(r.perS) : `${r.applied}/${r.amendments} applied`,
    triple(r.intakeToApplied),
    triple(r.intakeToStatus),
    r.perAmendment.stripe.toFixed(2),
    r.perAmendment.netsuite.toFixed(2),
    r.perAmendment.salesforce.toFixed(2),
  ])
  const lines = [
    '',
    `Concord amendments benchmark, ${info.startedAt.toISOString()}`,
    `worker: ${info.worker.source} (${info.worker.commit}), bundled once, served by wrangler dev (Durable Objects in local SQLite)`,
    `stack: Salesforce, Stripe and NetSuite emulators in this process, every vendor answering ${c.latencyMs} ms late; ${availableParallelism()} CPUs, load average ${info.loadAtStart.toFixed(1)} at the start and ${loadavg()[0]?.toFixed(1)} at the end`,
    `load: amendments over accounts, ${c.subscriptionsPerAccount} subscriptions per account (a create, then quantity changes); burst = ${c.lanes} senders of ${c.batch}-event batches, paced = ${c.ratePerS}/s`,
    `baseline: a point-to-point integration in this process, one call per record, accounts in parallel, NetSuite at ${c.netsuiteConcurrency} in flight (Concord's share)`,
    ...(Object.keys(c.concordVars).length
      ? [
          `Concord with ${Object.entries(c.concordVars)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
        ]
      : []),
    '',
    table(
      [
        'amendments over accounts',
        'amendments/s',
        'intake → applied p50 / p95 / p99',
        'intake → Salesforce status p50 / p95 / p99',
        'Stripe / amd',
        'NetSuite / amd',
        'Salesforce / amd',
      ],
      rows,
    ),
    '',
    "Where Concord's time goes (median per amendment, from its audit trail; intake = a signed POST's round trip):",
    ...results
      .filter((r) => r.system === 'concord')
      .map(
        (r) =>
          `  ${r.size} ${r.mode}: intake ${fmtMs(r.intakeRoundTrip?.p50)} (all taken in ${fmtMs(r.intakeMs)}), waiting ${fmtMs(r.steps?.waiting)}, billing ${fmtMs(r.steps?.billing)}, ERP ${fmtMs(r.steps?.erp)}, status ${fmtMs(r.steps?.status)}${cpuLine(r.cpuMsPerAmendment)}`,
      ),
    '',
    'Goals (issue 14):',
    ...goals(info, results),
    '',
  ]
  console.log(lines.join('\n'))
  const problems = results.flatMap((r) =>
    [...r.problems, ...r.warnings].map((p) => `${r.system} ${r.mode} ${r.size}: ${p}`),
  )
  if (problems.length)
    console.log(
      `worth a look:\n${problems
        .slice(0, 10)
        .map((p) => `  ${p.slice(0, 300)}`)
        .join('\n')}\n`,
    )
}

/** Writes the figures as JSON to test/bench/results/ (ignored by git: they describe one machine). */
export function writeAmendmentResults(info: AmendmentRunInfo, results: ModeResult[]): string {
  const dir = join('test', 'bench', 'results')
  const file = join(
    dir,
    `amendments-${info.startedAt.toISOString().slice(0, 10)}${info.config.quick ? '-quick' : ''}.json`,
  )
  mkdirSync(dir, { recursive: true })
  const body = {
    date: info.startedAt.toISOString(),
    durationS: Math.round((Date.now() - info.startedAt.getTime()) / 1000),
    machine: {
      cpus: availableParallelism(),
      node: process.version,
      loadAverage: { start: info.loadAtStart, end: loadavg()[0] },
    },
    worker: info.worker,
    config: info.config,
    goals: { ...GOALS, verdicts: goals(info, results).map((l) => l.trim()) },
    results,
  }
  writeFileSync(file, JSON.stringify(body, null, 2) + '\n')
  return file
}
