import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestOrg, type Json, type TestOrg } from './test-support.ts'

describe('permission sets and custom permissions (setup objects)', () => {
  let org: TestOrg
  beforeAll(async () => {
    org = await startTestOrg({ seed: true })
  })
  afterAll(() => org.close())

  const q = async (soql: string) => org.api('GET', `/query?q=${encodeURIComponent(soql)}`)

  it('has the deployed permission sets and the one that grants the custom permission', async () => {
    const sets = await q(
      "SELECT Id, Name FROM PermissionSet WHERE Name IN ('Concord_Integration', 'Concord_Sales', 'Nope')",
    )
    expect(sets.status).toBe(200)
    expect(sets.body.records.map((r: Json) => r.Name).sort()).toEqual([
      'Concord_Integration',
      'Concord_Sales',
    ])
    expect(sets.body.records[0].Id).toMatch(/^0PS/)
    const cp = await q(
      "SELECT Id FROM CustomPermission WHERE DeveloperName = 'Concord_Amend_Subscriptions'",
    )
    const grants = await q(
      `SELECT ParentId, Parent.Name FROM SetupEntityAccess WHERE SetupEntityType = 'CustomPermission' AND SetupEntityId = '${cp.body.records[0].Id}'`,
    )
    expect(grants.body.records.map((r: Json) => r.Parent.Name)).toEqual(['Concord_Sales'])
  })

  it('lists assignments with their assignee and set, and forgets an unassigned one', async () => {
    const soql =
      "SELECT Assignee.Username, PermissionSet.Name FROM PermissionSetAssignment WHERE PermissionSet.Name = 'Concord_Integration'"
    const before = await q(soql)
    expect(before.body.records.map((r: Json) => r.Assignee.Username)).toEqual([
      'integration@concord.example',
    ])
    const removed = await org.control('unassignPermissionSet', {
      username: 'integration@concord.example',
      permissionSet: 'Concord_Integration',
    })
    expect(removed.body).toEqual({ removed: 1 })
    expect((await q(soql)).body.totalSize).toBe(0)
    await org.control('assignPermissionSet', {
      username: 'integration@concord.example',
      permissionSet: 'Concord_Integration',
    })
    expect((await q(soql)).body.totalSize).toBe(1)
  })
})
