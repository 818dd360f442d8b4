import type { Connection } from '@salesforce/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVendors, type VendorStack } from '../../test/stack/vendors.ts'
import Doctor, { type DoctorResult } from '../src/commands/concord/doctor.ts'
import type { CheckResult } from '../src/doctor/check.ts'
import { startFakeWorker, type FakeWorker } from './support/fake-worker.ts'
import {
  connectionFor,
  deployNamedCredential,
  loginToEmulator,
  storeSigningSecret,
} from './support/org.ts'
import { runCommand } from './support/run.ts'

const TOKEN = 'op_round_trip_token_3c9e1a'
const SECRET = 'round-trip-secret-the-worker-holds-4b7d2e9f'
const OLD_SECRET = 'round-trip-secret-before-the-rotation-1a2b3c'
const CHECK = 'signed round trip from Salesforce'

/** `sf concord doctor`'s call through Salesforce: the org's Apex REST resource signs and calls the worker. */
describe('sf concord doctor: the signed round trip from Salesforce', () => {
  let vendors: VendorStack
  let worker: FakeWorker
  let conn: Connection

  beforeAll(async () => {
    worker = await startFakeWorker(TOKEN)
    vendors = await startVendors({ seedSalesforce: true, workerUrl: worker.url })
    await loginToEmulator(vendors, 'round-trip')
    conn = await connectionFor('round-trip')
    storeSigningSecret(vendors, SECRET)
    worker.state.eventsSecrets = [SECRET]
  })
  afterAll(async () => {
    await vendors.close()
    await worker.close()
  })

  const roundTrip = async (): Promise<{
    check?: CheckResult
    stdout: string
    exitCode: number
  }> => {
    const run = await runCommand<DoctorResult>(Doctor, [
      '--target-org',
      'round-trip',
      '--worker-url',
      worker.url,
      '--token',
      TOKEN,
      '--json',
    ])
    const out = JSON.parse(run.stdout) as { result: DoctorResult }
    return {
      check: out.result.checks.find((c) => c.check === CHECK),
      stdout: run.stdout,
      exitCode: run.exitCode,
    }
  }

  /** Replaces the principal's secret as an admin would, through the Connect REST API. */
  const putSecret = (value: string) =>
    conn.request({
      method: 'PUT',
      url: `/services/data/v${conn.getApiVersion()}/named-credentials/credential`,
      body: JSON.stringify({
        externalCredential: 'Concord_Worker',
        principalName: 'Signer',
        principalType: 'NamedPrincipal',
        authenticationProtocol: 'Custom',
        credentials: { SigningSecret: { value, encrypted: true } },
      }),
      headers: { 'content-type': 'application/json' },
    })

  const deployUrl = async (url: string) => expect(await deployNamedCredential(conn, url)).toBe(true)

  it('passes when Salesforce signs with the secret the worker holds, with the skew the worker saw', async () => {
    const { check, stdout } = await roundTrip()
    expect(check).toMatchObject({ status: 'pass', area: 'salesforce' })
    expect(check?.detail).toMatch(
      new RegExp(
        `Salesforce → ${worker.url}: signature accepted with the worker's current secret, clock skew -?\\d+ s`,
      ),
    )
    const pings = worker.state.requests.filter((r) => r.path === '/v1/salesforce/ping')
    expect(pings.length).toBeGreaterThan(0)
    expect(stdout).not.toContain(SECRET)
  })

  it('fails when the Salesforce side holds another secret, saying to rotate on both sides', async () => {
    await putSecret('a-secret-nobody-gave-the-worker-0000000000')
    try {
      const { check, exitCode, stdout } = await roundTrip()
      expect(exitCode).toBe(1)
      expect(check).toMatchObject({ status: 'fail' })
      expect(check?.detail).toMatch(
        /the worker refused Salesforce's signed call \(401 unauthorized: .*does not match/,
      )
      expect(check?.fix).toContain('--rotate-secret')
      expect(check?.fix).toContain('Concord_Worker (principal Signer)')
      expect(stdout).not.toContain('a-secret-nobody-gave-the-worker')
    } finally {
      await putSecret(SECRET)
    }
  })

  it('warns while Salesforce still signs with the secret before a rotation', async () => {
    await putSecret(OLD_SECRET)
    worker.state.eventsSecrets = [SECRET, OLD_SECRET]
    try {
      const { check } = await roundTrip()
      expect(check).toMatchObject({ status: 'warn' })
      expect(check?.detail).toContain("the worker's previous secret")
      expect(check?.fix).toContain('SALESFORCE_EVENTS_SECRET_PREVIOUS')
    } finally {
      worker.state.eventsSecrets = [SECRET]
      await putSecret(SECRET)
    }
  })

  it('fails naming the Named Credential URL when Salesforce cannot reach the worker', async () => {
    const nowhere = 'http://127.0.0.1:9'
    await deployUrl(nowhere)
    try {
      const { check, exitCode } = await roundTrip()
      expect(exitCode).toBe(1)
      expect(check).toMatchObject({ status: 'fail' })
      expect(check?.detail).toContain(
        `Salesforce could not reach the worker through the Named Credential Concord_Worker (URL ${nowhere})`,
      )
      expect(check?.fix).toContain(`points at ${nowhere}, not ${worker.url}`)
    } finally {
      await deployUrl(worker.url)
    }
    expect((await roundTrip()).check?.status).toBe('pass')
  })
})
