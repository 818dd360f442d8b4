import { createHash } from 'node:crypto'
import { violations } from './invariants.ts'
import { World } from './world.ts'

export interface ScheduleResult {
  seed: number
  violations: string[]
  steps: number
  /** Amendments by final state. */
  states: Record<string, number>
  amendments: number
  /** SHA-256 of the trace: every decision the scheduler made and what each call answered. */
  traceHash: string
  trace: string[]
}

/** Runs the schedule a seed makes and judges it. */
export async function runSchedule(seed: number): Promise<ScheduleResult> {
  const world = new World(seed)
  const { settled, steps } = await world.run()
  const trace = world.rt.trace
  const found = violations(world, settled)
  const states: Record<string, number> = {}
  for (const ledger of world.ledgers.values())
    for (const r of ledger.storage.sql.exec<{ state: string; n: number }>(
      'SELECT state, COUNT(*) AS n FROM amendment GROUP BY state',
    ))
      states[r.state] = (states[r.state] ?? 0) + r.n
  world.dispose()
  return {
    seed,
    violations: found,
    states,
    steps,
    amendments: world.plan.amendments.length,
    traceHash: createHash('sha256').update(trace.join('\n')).digest('hex'),
    trace,
  }
}
