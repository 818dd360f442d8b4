import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Connection } from '@salesforce/core'
import {
  ComponentSet,
  ComponentStatus,
  type DeployResult,
} from '@salesforce/source-deploy-retrieve'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsforce, startTestOrg, type TestOrg } from './test-support.ts'

/** The Metadata API deploy driven by Salesforce's own tools: source-deploy-retrieve over jsforce. */
describe('Metadata API deploy (SOAP)', () => {
  let org: TestOrg
  let conn: Connection

  const connect = (accessToken: string) => jsforce(org, accessToken)

  beforeAll(async () => {
    org = await startTestOrg({ packageDeployed: false })
    conn = await connect(org.token)
  })
  afterAll(() => org.close())

  const deploy = async (paths: string[]): Promise<DeployResult> => {
    const op = await ComponentSet.fromSource(paths).deploy({ usernameOrConnection: conn })
    return op.pollStatus(100, 120)
  }
  const permissionSets = async () =>
    (
      await conn.query<{ Name: string }>(
        "SELECT Name FROM PermissionSet WHERE Name LIKE 'Concord%' ORDER BY Name",
      )
    ).records.map((r) => r.Name)

  it('deploys the package, and a second deploy of the same source changes nothing', async () => {
    expect(await permissionSets()).toEqual([])
    const first = await deploy(['sfdx/main'])
    expect(first.response).toMatchObject({ status: 'Succeeded', success: true, done: true })
    expect(first.response.numberComponentErrors).toBe(0)
    const files = first.getFileResponses()
    expect(files.length).toBeGreaterThan(60)
    expect(files.every((f) => f.state === ComponentStatus.Created)).toBe(true)
    expect(await permissionSets()).toEqual([
      'Concord_Integration',
      'Concord_Operations',
      'Concord_Relay',
      'Concord_Sales',
      'Concord_Viewer',
    ])
    const grants = await conn.query<{ Parent: { Name: string } }>(
      "SELECT Parent.Name FROM SetupEntityAccess WHERE SetupEntityType = 'CustomPermission'",
    )
    // Operations grants Concord_Request_Credits and Concord_Activate_Subscriptions, Sales
    // Concord_Amend_Subscriptions.
    expect(grants.records.map((r) => r.Parent.Name).sort()).toEqual([
      'Concord_Operations',
      'Concord_Operations',
      'Concord_Sales',
    ])

    const again = await deploy(['sfdx/main'])
    expect(again.response.status).toBe('Succeeded')
    expect(new Set(again.getFileResponses().map((f) => f.state))).toEqual(
      new Set([ComponentStatus.Unchanged]),
    )
  })

  it('reports a changed component as changed, the rest unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'concord-mdapi-'))
    // Outside the project no .forceignore applies: leave the components' jest tests behind by hand.
    cpSync('sfdx/main', join(dir, 'main'), {
      recursive: true,
      filter: (src) => !src.includes('__tests__'),
    })
    const file = join(dir, 'main/default/customMetadata/Concord_Setting.Default.md-meta.xml')
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        /<field>Worker_Url__c<\/field>\s*<value xsi:nil="true"\/>/,
        '<field>Worker_Url__c</field><value xsi:type="xsd:string">https://w.example</value>',
      ),
    )
    const result = await deploy([join(dir, 'main')])
    const changed = result.getFileResponses().filter((f) => f.state === ComponentStatus.Changed)
    expect(changed.map((f) => `${f.type}:${f.fullName}`)).toEqual([
      'CustomMetadata:Concord_Setting.Default',
    ])
    const held = org.emu.sf.metadata.deployed('CustomMetadata', 'Concord_Setting.Default')
    expect([...(held?.values() ?? [])].join('')).toContain('https://w.example')
  })

  it('refuses a permission set that names a field the org does not have, and deploys none of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'concord-mdapi-'))
    const sets = join(dir, 'main/default/permissionsets')
    cpSync('sfdx/main/default/permissionsets', sets, { recursive: true })
    writeFileSync(
      join(sets, 'Concord_Broken.permissionset-meta.xml'),
      `<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <fieldPermissions><editable>false</editable><field>Account.No_Such_Field__c</field><readable>true</readable></fieldPermissions>
    <label>Concord Broken</label>
</PermissionSet>`,
    )
    const result = await deploy([join(dir, 'main')])
    expect(result.response).toMatchObject({ status: 'Failed', success: false })
    const failures = result.getFileResponses().filter((f) => f.state === ComponentStatus.Failed)
    expect(failures).toEqual([
      expect.objectContaining({
        fullName: 'Concord_Broken',
        type: 'PermissionSet',
        error: expect.stringContaining('no CustomField named Account.No_Such_Field__c found'),
      }),
    ])
    expect(await permissionSets()).not.toContain('Concord_Broken')
  })

  it('fails a deploy whose zip is damaged, with the reason', async () => {
    const started = await conn.metadata.deploy(Buffer.from('PK not really a zip'), {})
    const status = await conn.metadata.checkDeployStatus(started.id, true)
    expect(status).toMatchObject({ done: true, success: false, status: 'Failed' })
    expect(status.errorMessage).toMatch(/zip file could not be read/)
  })

  it('answers a bad session with the INVALID_SESSION_ID fault', async () => {
    const token = conn.accessToken
    conn.accessToken = '00Dnot!a-token'
    const refused = conn.metadata.checkDeployStatus('0Af000000000001', true)
    await expect(refused).rejects.toThrow(/INVALID_SESSION_ID/)
    conn.accessToken = token
  })
})
