import { describe, expect, it } from 'vitest'
import { violations } from './invariants.ts'
import { runSchedule } from './run.ts'
import { World } from './world.ts'

describe('simulation replay', () => {
  it('gives the same trace for the same seed, and another for another seed', async () => {
    const first = await runSchedule(4242)
    const again = await runSchedule(4242)
    const other = await runSchedule(4243)
    expect(first.trace.length).toBeGreaterThan(20)
    expect(again.trace).toEqual(first.trace)
    expect(again.traceHash).toBe(first.traceHash)
    expect(other.traceHash).not.toBe(first.traceHash)
  })

  it('runs the worker code under simulated time: every crash, fault and delivery is in the trace', async () => {
    const r = await runSchedule(7)
    const text = r.trace.join('\n')
    expect(text).toMatch(/ call#\d+ stripe\.applyAmendment ok/)
    expect(text).toMatch(/ alarm ledger:/)
    expect(text).toMatch(/ quiet/)
    expect(r.violations).toEqual([])
  })
})

describe('simulation invariants', () => {
  /** A settled world, then one thing broken by hand: the checks must name it. */
  async function settledWorld(seed: number): Promise<World> {
    const world = new World(seed)
    const { settled } = await world.run()
    expect(violations(world, settled)).toEqual([])
    return world
  }

  it('finds a mirror edited by hand in Salesforce', async () => {
    const world = await settledWorld(3)
    const [key, mirror] =
      [...(world.salesforce.records.get('Billing_Subscription__c') ?? [])][0] ?? []
    expect(mirror).toBeDefined()
    Object.assign(mirror as Record<string, unknown>, { Quantity__c: 999 })
    expect(violations(world, true)).toContain(
      `mirror ${key as string}.Quantity__c is 999, Stripe/ledger say ${JSON.stringify(world.stripe.read((mirror as { External_Id__c: string }).External_Id__c).quantity)}`,
    )
    world.dispose()
  })

  it('finds a vendor effect made twice, and one made out of order', async () => {
    const world = await settledWorld(3)
    const effects = world.effects.filter((e) => e.what === 'amendment' && e.system === 'stripe')
    const first = effects[0]
    expect(first).toBeDefined()
    world.effects.push({ ...(first as (typeof effects)[number]) })
    const found = violations(world, true)
    expect(found).toContain(
      `duplicate effect: stripe:amendment:${first?.amendmentId as string} made 2 times`,
    )
    expect(found.some((v) => v.startsWith('out of order: stripe #1'))).toBe(true)
    world.dispose()
  })

  it('finds an amendment the ledger took but lost, and an unsettled world', async () => {
    const world = await settledWorld(3)
    world.recorded.add(world.plan.amendments[0]?.id as string)
    const id = world.plan.amendments[0]?.id as string
    const ledger = world.ledgers.get(world.plan.amendments[0]?.accountId as string)
    ledger?.storage.sql.exec('DELETE FROM amendment WHERE id = ?', id)
    const found = violations(world, false)
    expect(found[0]).toMatch(/^did not settle/)
    expect(found.some((v) => v.startsWith(`lost: ${id}`))).toBe(true)
    world.dispose()
  })

  // Known gap (test/sim/README.md, "What it found"): Salesforce applies upserts in the order they
  // land, and the OrgWriter has no way to stop an older Composite call that is still in flight from
  // landing after a newer one. This seed crashes the writer with a call in flight and lets it land
  // after its successor's; Subscription_Sync__c rows then show older statuses than the ledger's.
  // `it.fails` keeps the finding visible: it turns red the day the writer closes the gap. (Seed
  // 2211 showed it until activation added writer records and so changed the schedules.)
  it.fails(
    'keeps Salesforce equal to the ledger when a call of a dead writer lands late',
    async () => {
      const world = new World(3569, { lateSalesforceWrites: true })
      const { settled } = await world.run()
      const found = violations(world, settled)
      world.dispose()
      expect(found).toEqual([])
    },
  )
})
