import { describe, expect, it } from 'vitest'
import { describeShard, explainFailure, runShard, seedsOf } from './schedules.ts'

describe('simulated ledger, outbox and OrgWriter (shard 1 of 2)', () => {
  it('keeps every invariant in each seeded schedule of faults, reorders, duplicates and crashes', async () => {
    const seeds = seedsOf(1, 2)
    const report = await runShard(seeds)
    console.log(describeShard('shard 1/2', report))
    expect(report.failing.map(explainFailure).join('\n\n')).toBe('')
    expect(report.schedules).toBe(seeds.length)
  })
})
