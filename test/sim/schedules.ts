import nodeProcess from 'node:process'
import { runSchedule, type ScheduleResult } from './run.ts'

/** Node's process, typed (the Workers types, loaded beside Node's here, declare `process` as any). */
const process: NodeJS.Process = nodeProcess as NodeJS.Process

/** How many schedules `npm test` runs (`SIM_SCHEDULES`), from which seed (`SIM_FIRST`). */
export const SCHEDULES = Number(process.env.SIM_SCHEDULES ?? 10_000)
export const FIRST_SEED = Number(process.env.SIM_FIRST ?? 1)
/** One seed to replay alone (`SIM_SEED=<n>`), printing its trace. */
export const REPLAY_SEED =
  process.env.SIM_SEED === undefined ? undefined : Number(process.env.SIM_SEED)

export interface ShardReport {
  seeds: string
  schedules: number
  amendments: number
  steps: number
  wallSeconds: number
  cpuSeconds: number
  failing: ScheduleResult[]
}

/** The seeds of shard `n` of `of` (the test files split the run so vitest can use both cores). */
export function seedsOf(n: number, of: number): number[] {
  if (REPLAY_SEED !== undefined) return n === 1 ? [REPLAY_SEED] : []
  const per = Math.ceil(SCHEDULES / of)
  const from = FIRST_SEED + (n - 1) * per
  const to = Math.min(FIRST_SEED + SCHEDULES, from + per)
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i)
}

/** Runs the seeds one after the other, timing them (wall clock and this process's CPU). */
export async function runShard(seeds: number[]): Promise<ShardReport> {
  const cpu = process.cpuUsage()
  const started = performance.now()
  const report = { schedules: 0, amendments: 0, steps: 0, failing: [] as ScheduleResult[] }
  for (const seed of seeds) {
    const r = await runSchedule(seed)
    report.schedules++
    report.amendments += r.amendments
    report.steps += r.steps
    if (r.violations.length > 0) report.failing.push(r)
  }
  const used = process.cpuUsage(cpu)
  return {
    ...report,
    seeds: seeds.length > 0 ? `${seeds[0]}–${seeds.at(-1)}` : 'none',
    wallSeconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
  }
}

/** One line for the log: what ran, how long it took, what failed. */
export function describeShard(name: string, r: ShardReport): string {
  return (
    `simulation ${name}: ${r.schedules} schedules (seeds ${r.seeds}, ${r.amendments} amendments, ` +
    `${r.steps} scheduler steps) in ${r.wallSeconds.toFixed(1)} s wall, ${r.cpuSeconds.toFixed(1)} s CPU; ` +
    `${r.failing.length} failing`
  )
}

/** What a failing schedule says: its seed, how to replay it, its violations and the end of its trace. */
export function explainFailure(r: ScheduleResult): string {
  return [
    `seed ${r.seed} (replay: SIM_SEED=${r.seed} npx vitest run --project sim):`,
    ...r.violations.map((v) => `  - ${v}`),
    REPLAY_SEED === undefined ? '  (trace: replay the seed to see it)' : '  trace:',
    ...(REPLAY_SEED === undefined ? [] : r.trace.map((l) => `    ${l}`)),
  ].join('\n')
}
