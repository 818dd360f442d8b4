import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVendors, type VendorStack } from '../../test/stack/vendors.ts'
import Doctor, { type DoctorResult } from '../src/commands/concord/doctor.ts'
import { PLATFORM_EVENT_TRIGGERS } from '../src/doctor/trigger-user.ts'
import { startFakeWorker, type FakeWorker } from './support/fake-worker.ts'
import { connectionFor, loginToEmulator, REPO, setUpRelayUser, sfUser } from './support/org.ts'
import { runCommand } from './support/run.ts'

const TOKEN = 'op_trigger_user_token_9a4c1e'
const CHECK = 'SubscriptionAmendmentRelay running user'
const RELAY = 'relay@concord.example'

describe('sf concord doctor: the trigger’s running user', () => {
  let vendors: VendorStack
  let worker: FakeWorker

  beforeAll(async () => {
    worker = await startFakeWorker(TOKEN)
    vendors = await startVendors({ seedSalesforce: true, workerUrl: worker.url })
    await loginToEmulator(vendors, 'trigger-user')
  })
  afterAll(async () => {
    await vendors.close()
    await worker.close()
  })

  const check = async (...extra: string[]) => {
    const run = await runCommand<DoctorResult>(Doctor, [
      ...['--target-org', 'trigger-user', '--worker-url', worker.url, '--token', TOKEN, '--json'],
      ...extra,
    ])
    const out = JSON.parse(run.stdout) as { result: DoctorResult }
    return { ...out.result.checks.find((c) => c.check === CHECK), exitCode: run.exitCode }
  }
  const control = (action: string, body: unknown) =>
    fetch(`${vendors.salesforce.url}/__control/salesforce/${action}`, {
      method: 'POST',
      body: JSON.stringify(body),
    })

  it('knows every platform event trigger of the package', () => {
    // Platform event triggers are those on an `__e` object; the record triggers (the stale guards,
    // Account merges) run as the user who saved the record and need no running-user config.
    const dir = join(REPO, 'sfdx/main/default/triggers')
    const triggers = readdirSync(dir)
      .filter((f) => f.endsWith('.trigger'))
      .filter((f) => /\btrigger\s+\w+\s+on\s+\w+__e\s*\(/.test(readFileSync(join(dir, f), 'utf8')))
      .map((f) => f.replace(/\.trigger$/, ''))
    expect([...PLATFORM_EVENT_TRIGGERS].sort()).toEqual(triggers.sort())
  })

  it('fails a trigger that runs as Automated Process, saying how to name a user', async () => {
    const result = await check()
    expect(result).toMatchObject({ status: 'fail', exitCode: 1 })
    expect(result.detail).toMatch(/runs as Automated Process/)
    expect(result.fix).toContain(`--relay-user <username>`)
  })

  it('passes once a subscriber config names an active user who holds Concord_Relay', async () => {
    await setUpRelayUser(vendors, await connectionFor('trigger-user'), RELAY)
    expect(await check()).toMatchObject({
      status: 'pass',
      detail: `runs as ${RELAY} (active, holds Concord_Relay), batch size 500`,
    })
  })

  it('fails when the trigger runs as another user than --relay-user names', async () => {
    expect((await check('--relay-user', RELAY)).status).toBe('pass')
    const other = await check('--relay-user', 'concord-relay@elsewhere.example')
    expect(other).toMatchObject({
      status: 'fail',
      detail: `runs as ${RELAY}, not concord-relay@elsewhere.example`,
    })
    expect(other.fix).toContain('--relay-user concord-relay@elsewhere.example')
  })

  it('fails when the running user has lost Concord_Relay, with the command that assigns it', async () => {
    await control('unassignPermissionSet', { username: RELAY, permissionSet: 'Concord_Relay' })
    try {
      const result = await check()
      expect(result).toMatchObject({ status: 'fail', exitCode: 1 })
      expect(result.fix).toMatch(
        new RegExp(
          `^sf org assign permset --name Concord_Relay --on-behalf-of ${RELAY} --target-org \\S+$`,
        ),
      )
    } finally {
      await control('assignPermissionSet', { username: RELAY, permissionSet: 'Concord_Relay' })
    }
  })

  it('fails when the running user is inactive', async () => {
    await sfUser(vendors, RELAY, false)
    try {
      const result = await check()
      expect(result).toMatchObject({ status: 'fail', exitCode: 1 })
      expect(result.detail).toBe(`runs as ${RELAY}, who is inactive: the trigger cannot run`)
      expect(result.fix).toContain(`Reactivate ${RELAY}`)
    } finally {
      await sfUser(vendors, RELAY, true)
    }
    expect((await check()).status).toBe('pass')
  })
})
