import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pkg from '../../package.json' with { type: 'json' }
import { startVendors, type VendorStack } from '../../test/stack/vendors.ts'
import Doctor, { type DoctorResult } from '../src/commands/concord/doctor.ts'
import ExceptionsList from '../src/commands/concord/exceptions/list.ts'
import Replay from '../src/commands/concord/replay.ts'
import { loginToEmulator } from './support/org.ts'
import { startRealWorker, type RealWorker } from './support/real-worker.ts'
import { runCommand } from './support/run.ts'

/** The commands against the real worker (`wrangler dev`) and the emulators: the API shapes as served. */
describe('sf concord against the real worker', () => {
  let vendors: VendorStack
  let worker: RealWorker
  let nsKeyFile: string

  beforeAll(async () => {
    vendors = await startVendors({ seedSalesforce: true })
    worker = await startRealWorker({ ...vendors.bindings, SUBSCRIBER_CONNECT_TIMEOUT_MS: '500' })
    await loginToEmulator(vendors, 'concord-real')
    nsKeyFile = join(mkdtempSync(join(tmpdir(), 'concord-real-')), 'netsuite.pem')
    writeFileSync(nsKeyFile, vendors.bindings.NETSUITE_PRIVATE_KEY ?? '')
    await fetch(`${vendors.stripe.url}/v1/webhook_endpoints`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${vendors.bindings.STRIPE_SECRET_KEY ?? ''}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        url: `${worker.url}/v1/webhooks/stripe`,
        'enabled_events[0]': '*',
      }).toString(),
    })
  })
  afterAll(async () => {
    await worker?.stop()
    await vendors?.close()
  })

  const doctor = () =>
    runCommand<DoctorResult>(Doctor, [
      '--target-org',
      'concord-real',
      '--worker-url',
      worker.url,
      '--token',
      worker.token,
      '--stripe-key',
      vendors.bindings.STRIPE_SECRET_KEY ?? '',
      '--stripe-api-base',
      vendors.stripe.url,
      '--netsuite-account',
      vendors.bindings.NETSUITE_ACCOUNT_ID ?? '',
      '--netsuite-client-id',
      vendors.bindings.NETSUITE_CLIENT_ID ?? '',
      '--netsuite-certificate-id',
      vendors.bindings.NETSUITE_CERTIFICATE_ID ?? '',
      '--netsuite-private-key-file',
      nsKeyFile,
      '--netsuite-base-url',
      vendors.netsuite.url,
      '--json',
    ])
  const checks = (run: { stdout: string }) =>
    (JSON.parse(run.stdout) as { result: DoctorResult }).result.checks

  it('finds a fresh installation healthy but for a catch-up that never ran, then runs one', async () => {
    const before = checks(await doctor())
    expect(before.filter((c) => c.status !== 'pass').map((c) => [c.check, c.status])).toEqual([
      ['CometD catch-up cursor', 'warn'],
    ])
    expect(before.find((c) => c.check === 'health')?.detail).toBe(`ok, version ${pkg.version}`)
    expect(before.find((c) => c.check === 'M2M login')?.status).toBe('pass')
    const replay = await runCommand(Replay, [
      '--worker-url',
      worker.url,
      '--token',
      worker.token,
      '--wait',
      '--poll-interval',
      '250',
    ])
    expect(replay.error).toBeUndefined()
    const after = await doctor()
    expect(checks(after).filter((c) => c.status !== 'pass')).toEqual([])
    expect(after.exitCode).toBe(0)
    expect(after.stdout).not.toContain(worker.token)

    const again = await runCommand<{ fromReplayId?: number; run?: { fromReplayId?: number } }>(
      Replay,
      [
        '--worker-url',
        worker.url,
        '--token',
        worker.token,
        '--from',
        '-2',
        '--wait',
        '--poll-interval',
        '250',
      ],
    )
    expect(again.error).toBeUndefined()
    expect(again.result).toMatchObject({ fromReplayId: -2, run: { fromReplayId: -2 } })
  })

  it('reads the exception index and names a refused token', async () => {
    const list = await runCommand(ExceptionsList, [
      '--worker-url',
      worker.url,
      '--token',
      worker.token,
    ])
    expect(list.stdout).toContain('No parked amendments.')
    const refused = await runCommand(ExceptionsList, [
      '--worker-url',
      worker.url,
      '--token',
      'op_wrong_token',
    ])
    expect(refused.error?.message).toMatch(
      /401 unauthorized: Operator token not recognised\. \[request id [0-9a-f-]{36}\]/,
    )
  })
})
