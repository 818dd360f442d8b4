import { mkdtempSync, readFileSync, writeFileSync, existsSync, cpSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVendors, type VendorStack } from '../../test/stack/vendors.ts'
import Setup, { type SetupResult } from '../src/commands/concord/setup.ts'
import { HANDLED_EVENTS } from '../src/doctor/stripe.ts'
import { startFakeWorker, type FakeWorker } from './support/fake-worker.ts'
import { loginToEmulator, sfUser } from './support/org.ts'
import { runCommand, type CommandRun } from './support/run.ts'

const TOKEN = 'op_setup_test_token_7d1e0b'
const STRIPE_KEY = 'sk_test_concord_local'
const ROOT = resolve(import.meta.dirname, '../..')

/** KEY="value" lines of a .dev.vars file. */
function devVars(path: string): Record<string, string> {
  if (!existsSync(path)) return {}
  return Object.fromEntries(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => {
        const at = l.indexOf('=')
        return [l.slice(0, at), JSON.parse(l.slice(at + 1)) as string]
      }),
  )
}

describe('sf concord setup', () => {
  let vendors: VendorStack
  let worker: FakeWorker
  let dir: string
  let nsFlags: string[]

  beforeAll(async () => {
    worker = await startFakeWorker(TOKEN)
    vendors = await startVendors({ salesforcePackageDeployed: false })
    await loginToEmulator(vendors, 'concord-setup')
    dir = mkdtempSync(join(tmpdir(), 'concord-setup-test-'))
    writeFileSync(join(dir, 'ns.pem'), vendors.bindings.NETSUITE_PRIVATE_KEY ?? '')
    nsFlags = [
      ...['--netsuite-account', vendors.bindings.NETSUITE_ACCOUNT_ID ?? ''],
      ...['--netsuite-client-id', vendors.bindings.NETSUITE_CLIENT_ID ?? ''],
      ...['--netsuite-certificate-id', vendors.bindings.NETSUITE_CERTIFICATE_ID ?? ''],
      ...['--netsuite-private-key-file', join(dir, 'ns.pem')],
      ...['--netsuite-base-url', vendors.netsuite.url, '--netsuite-concurrency', '3'],
    ]
  })
  afterAll(async () => {
    await vendors.close()
    await worker.close()
  })

  const setup = (extra: string[] = [], project = ROOT) =>
    runCommand<SetupResult>(Setup, [
      ...['--target-org', 'concord-setup', '--worker-url', worker.url, '--token', TOKEN],
      ...['--project-dir', project, '--state-file', join(dir, 'state.json')],
      ...['--stripe-key', STRIPE_KEY, '--stripe-api-base', vendors.stripe.url],
      ...nsFlags,
      '--json',
      ...(extra.includes('--dev-vars') ? [] : ['--dev-vars', join(dir, '.dev.vars')]),
      ...extra,
    ])
  const outcomes = (run: CommandRun<SetupResult>) =>
    Object.fromEntries(
      (JSON.parse(run.stdout) as { result: SetupResult }).result.steps.map((s) => [
        s.step,
        s.outcome,
      ]),
    )
  const signingSecret = () =>
    vendors.salesforce.sf.credentials.value('Concord_Worker', 'Signer', 'SigningSecret')
  const noSecretIn = (run: CommandRun<unknown>) => {
    const vars = devVars(join(dir, '.dev.vars'))
    for (const secret of [TOKEN, STRIPE_KEY, ...Object.values(vars)])
      for (const text of [run.stdout, run.stderr, run.error?.message ?? ''])
        expect(text).not.toContain(secret)
  }

  it('sets up a new org, then a second run changes nothing and says so', async () => {
    const first = await setup()
    expect(outcomes(first)).toEqual({
      'deploy package': 'created',
      'assign Concord_Integration': 'created',
      'trigger running user': 'skipped',
      'intake signing secret': 'created',
      'Stripe webhook endpoint': 'created',
      'NetSuite M2M and concurrency': 'checked',
    })
    const vars = devVars(join(dir, '.dev.vars'))
    expect(vars.SALESFORCE_EVENTS_SECRET).toMatch(/^[0-9a-f]{64}$/)
    expect(signingSecret()).toBe(vars.SALESFORCE_EVENTS_SECRET)
    const endpoints = vendors.stripe.stripe.endpoints()
    expect(endpoints).toHaveLength(1)
    expect(endpoints[0]).toMatchObject({
      url: `${worker.url}/v1/webhooks/stripe`,
      status: 'enabled',
    })
    expect([...(endpoints[0]?.enabled_events ?? [])].sort()).toEqual([...HANDLED_EVENTS].sort())
    expect(vars.STRIPE_WEBHOOK_SECRET).toBe(endpoints[0]?.secret)
    const settings = vendors.salesforce.sf.metadata.deployed(
      'CustomMetadata',
      'Concord_Setting.Default',
    )
    expect([...(settings?.values() ?? [])].join('')).toContain(
      `<value xsi:type="xsd:string">${worker.url}</value>`,
    )
    noSecretIn(first)

    const before = readFileSync(join(dir, '.dev.vars'), 'utf8')
    const second = await setup()
    expect(second.error).toBeUndefined()
    expect(Object.values(outcomes(second))).toEqual([
      'unchanged',
      'unchanged',
      'skipped',
      'unchanged',
      'unchanged',
      'checked',
    ])
    expect(readFileSync(join(dir, '.dev.vars'), 'utf8')).toBe(before)
    expect(vendors.stripe.stripe.endpoints().map((e) => e.id)).toEqual([endpoints[0]?.id])
    noSecretIn(second)
  })

  it('puts a disabled endpoint with other events back to Concord’s', async () => {
    const endpoint = vendors.stripe.stripe.endpoints()[0]
    await fetch(`${vendors.stripe.url}/v1/webhook_endpoints/${endpoint?.id}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${STRIPE_KEY}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'disabled=true&enabled_events[0]=invoice.paid',
    })
    const run = await setup()
    expect(outcomes(run)['Stripe webhook endpoint']).toBe('updated')
    expect(vendors.stripe.stripe.endpoints()[0]).toMatchObject({
      id: endpoint?.id,
      status: 'enabled',
    })
    expect(vendors.stripe.stripe.endpoints()[0]?.enabled_events).toHaveLength(HANDLED_EVENTS.length)
  })

  it('resumes after being cut off between the two sides of the signing secret', async () => {
    const before = signingSecret()
    const broken = await setup([
      '--rotate-secret',
      '--dev-vars',
      join(dir, 'no-such-dir', '.dev.vars'),
    ])
    expect(broken.exitCode).not.toBe(0)
    expect(signingSecret()).not.toBe(before)
    const resumed = await setup()
    expect(outcomes(resumed)['intake signing secret']).toBe('updated')
    expect(signingSecret()).toBe(devVars(join(dir, '.dev.vars')).SALESFORCE_EVENTS_SECRET)
    expect(outcomes(await setup())['intake signing secret']).toBe('unchanged')
  })

  it('stops at a deploy the org refuses, naming the component and what to do', async () => {
    const project = mkdtempSync(join(tmpdir(), 'concord-setup-project-'))
    cpSync(join(ROOT, 'sfdx/main'), join(project, 'sfdx/main'), { recursive: true })
    writeFileSync(
      join(project, 'sfdx/main/default/permissionsets/Concord_Broken.permissionset-meta.xml'),
      '<?xml version="1.0" encoding="UTF-8"?><PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata"><fieldPermissions><editable>false</editable><field>Account.Gone__c</field><readable>true</readable></fieldPermissions><label>Broken</label></PermissionSet>',
    )
    const run = await setup([], project)
    expect(run.exitCode).not.toBe(0)
    expect(run.error?.message).toMatch(
      /Deploying the Concord package failed: the org refused it \(Failed\): PermissionSet Concord_Broken: In field: field - no CustomField named Account.Gone__c found/,
    )
    expect(run.error?.actions?.join(' ')).toContain('run setup again')
  })

  it('runs the relay trigger as the named user: refuses an unknown or inactive one, then is idempotent', async () => {
    const user = 'relay@concord.example'
    const unknown = await setup(['--relay-user', user])
    expect(unknown.exitCode).not.toBe(0)
    expect(unknown.error?.message).toBe(
      `Checking the relay user ${user} failed: the org has no user ${user}`,
    )
    expect(unknown.error?.actions?.join(' ')).toMatch(
      /user licence "Salesforce Integration", profile "Minimum Access - API Only Integrations"/,
    )

    await sfUser(vendors, user, false)
    const inactive = await setup(['--relay-user', user])
    expect(inactive.error?.message).toMatch(
      /is inactive, and a platform event trigger runs only as an active user/,
    )
    expect(vendors.salesforce.sf.records('PlatformEventSubscriberConfig')).toEqual([])

    await sfUser(vendors, user, true)
    const first = await setup(['--relay-user', user])
    expect(first.error).toBeUndefined()
    expect(outcomes(first)).toMatchObject({
      'trigger running user': 'created',
      'assign Concord_Relay': 'created',
    })
    const [config] = vendors.salesforce.sf.records('PlatformEventSubscriberConfig')
    const [trigger] = vendors.salesforce.sf
      .records('ApexTrigger')
      .filter((t) => t.Name === 'SubscriptionAmendmentRelay')
    expect(config).toMatchObject({
      DeveloperName: 'SubscriptionAmendmentRelayConfig',
      PlatformEventConsumerId: trigger?.Id,
      UserId: vendors.salesforce.sf.org.users.get(user),
      BatchSize: 500,
    })
    const doctor = (JSON.parse(first.stdout) as { result: SetupResult }).result.doctor
    expect(doctor.find((c) => c.check === 'SubscriptionAmendmentRelay running user')).toMatchObject(
      {
        status: 'pass',
        detail: `runs as ${user} (active, holds Concord_Relay), batch size 500`,
      },
    )

    const again = await setup(['--relay-user', user])
    expect(outcomes(again)).toMatchObject({
      'trigger running user': 'unchanged',
      'assign Concord_Relay': 'unchanged',
    })
  })
})
