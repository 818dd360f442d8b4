import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startVendors, type VendorStack } from '../../test/stack/vendors.ts'
import Doctor, { type DoctorResult } from '../src/commands/concord/doctor.ts'
import { startFakeWorker, sha256, type FakeWorker } from './support/fake-worker.ts'
import {
  connectionFor,
  loginToEmulator,
  setUpRelayUser,
  storeSigningSecret,
} from './support/org.ts'
import { runCommand } from './support/run.ts'

const TOKEN = 'op_doctor_test_token_5f2a9c'
const RELAY_USER = 'relay@concord.example'
const EVENTS_SECRET = 'doctor-test-events-secret-8e1f0c2b7a9d4e6f'
const STRIPE_KEY = 'sk_test_concord_local'
const HOUR = 3_600_000

describe('sf concord doctor', () => {
  let vendors: VendorStack
  let worker: FakeWorker
  let sfToken: string
  let nsKeyFile: string
  let nsFlags: string[]

  beforeAll(async () => {
    worker = await startFakeWorker(TOKEN)
    vendors = await startVendors({
      seedSalesforce: true,
      stripeWebhookUrl: `${worker.url}/v1/webhooks/stripe`,
      workerUrl: worker.url,
    })
    sfToken = await loginToEmulator(vendors, 'concord')
    storeSigningSecret(vendors, EVENTS_SECRET)
    await setUpRelayUser(vendors, await connectionFor('concord'), RELAY_USER)
    worker.state.eventsSecrets = [EVENTS_SECRET]
    const dir = mkdtempSync(join(tmpdir(), 'concord-doctor-'))
    nsKeyFile = join(dir, 'netsuite.pem')
    writeFileSync(nsKeyFile, vendors.bindings.NETSUITE_PRIVATE_KEY ?? '')
    nsFlags = [
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
    ]
    worker.state.version = '0.1.0'
  })
  afterAll(async () => {
    await vendors.close()
    await worker.close()
  })
  beforeEach(() => {
    worker.state.tokens = [{ sha256: sha256(TOKEN), role: 'operator' }]
  })

  const doctor = (...extra: string[]) =>
    runCommand<DoctorResult>(Doctor, [
      '--target-org',
      'concord',
      '--worker-url',
      worker.url,
      '--token',
      TOKEN,
      '--stripe-api-base',
      vendors.stripe.url,
      '--json',
      ...(extra.includes('--stripe-key') ? [] : ['--stripe-key', STRIPE_KEY]),
      ...(extra.includes('--netsuite-account') ? [] : nsFlags),
      ...(extra.includes('--netsuite-concurrency') ? [] : ['--netsuite-concurrency', '3']),
      ...extra,
    ])
  const sfControl = (action: string, body: unknown) =>
    fetch(`${vendors.salesforce.url}/__control/salesforce/${action}`, {
      method: 'POST',
      body: JSON.stringify(body),
    })
  const statusOf = (run: { stdout: string }, check: string) => {
    const out = JSON.parse(run.stdout) as { result: DoctorResult }
    return out.result.checks.find((c) => c.check === check)
  }
  const stripeEndpoint = async (method: string, path: string, form?: Record<string, string>) =>
    fetch(`${vendors.stripe.url}/v1/webhook_endpoints${path}`, {
      method,
      headers: {
        authorization: `Bearer ${STRIPE_KEY}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    })

  it('passes every link of a healthy installation and never prints a secret', async () => {
    const run = await doctor('--integration-user', 'integration@concord.example')
    const out = JSON.parse(run.stdout) as { status: number; result: DoctorResult }
    const failing = out.result.checks.filter((c) => c.status !== 'pass')
    expect(failing).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(out.result.checks.map((c) => c.check)).toEqual([
      'auth',
      'API requests left',
      'permission sets deployed',
      'Concord_Integration assigned',
      'Concord_Amend_Subscriptions assigned',
      'SubscriptionAmendmentRelay running user',
      'signed round trip from Salesforce',
      'health',
      'operator token',
      'Salesforce writer',
      'CometD catch-up cursor',
      'quarantine',
      'parked amendments',
      'key mode',
      'webhook endpoint',
      'M2M login',
      'concurrency',
      'skew',
    ])
    expect(statusOf(run, 'health')?.detail).toBe('ok, version 0.1.0')
    expect(statusOf(run, 'concurrency')?.detail).toBe(
      "NETSUITE_CONCURRENCY 3; 5 slot(s) unallocated, of the account's 5",
    )
    const pem = vendors.bindings.NETSUITE_PRIVATE_KEY ?? ''
    const keyLine = pem.split('\n')[1] ?? 'no key line'
    for (const secret of [TOKEN, STRIPE_KEY, sfToken, keyLine, EVENTS_SECRET]) {
      expect(run.stdout).not.toContain(secret)
      expect(run.stderr).not.toContain(secret)
    }
  })

  it('prints a table with the fix for each problem, and exits 1 on a fail', async () => {
    worker.state.tokens = []
    const run = await runCommand<DoctorResult>(Doctor, [
      '--target-org',
      'concord',
      '--worker-url',
      worker.url,
      '--token',
      TOKEN,
    ])
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/FAIL\s+worker\s+operator token/)
    expect(run.stdout).toMatch(
      /FAIL\s+worker\s+operator token\s+Reading the writer status failed: the worker\s+Pass a valid operator token/,
    )
    expect(run.stdout).toContain('12 checks: 9 pass, 2 warn, 1 fail')
    expect(run.stdout).toMatch(/WARN\s+netsuite\s+M2M login\s+not checked/)
    expect(run.stdout).toContain('OPERATOR_TOKENS')
    expect(run.stdout).toMatch(/WARN\s+stripe\s+key/)
    expect(run.stdout).not.toContain(TOKEN)
  })

  it('fails a worker token the worker does not know, naming the worker’s answer', async () => {
    worker.state.tokens = [{ sha256: sha256('someone-else'), role: 'operator' }]
    const run = await doctor()
    expect(run.exitCode).toBe(1)
    const check = statusOf(run, 'operator token')
    expect(check).toMatchObject({ status: 'fail' })
    expect(check?.detail).toMatch(
      /401 unauthorized: Operator token not recognised\. \[request id req-\d+\]/,
    )
    expect(run.stdout).not.toContain(TOKEN)
  })

  it('fails when the integration user lost Concord_Integration', async () => {
    await sfControl('unassignPermissionSet', {
      username: 'integration@concord.example',
      permissionSet: 'Concord_Integration',
    })
    try {
      const run = await doctor()
      expect(run.exitCode).toBe(1)
      expect(statusOf(run, 'Concord_Integration assigned')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('no user has it') as string,
        fix: expect.stringContaining('sf org assign permset --name Concord_Integration') as string,
      })
    } finally {
      await sfControl('assignPermissionSet', {
        username: 'integration@concord.example',
        permissionSet: 'Concord_Integration',
      })
    }
  })

  it('fails when nobody holds Concord_Amend_Subscriptions', async () => {
    await sfControl('unassignPermissionSet', {
      username: 'rep@concord.example',
      permissionSet: 'Concord_Sales',
    })
    try {
      const run = await doctor()
      expect(statusOf(run, 'Concord_Amend_Subscriptions assigned')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('nobody holds it') as string,
      })
      expect(run.exitCode).toBe(1)
    } finally {
      await sfControl('assignPermissionSet', {
        username: 'rep@concord.example',
        permissionSet: 'Concord_Sales',
      })
    }
  })

  it('fails when Salesforce refuses the session', async () => {
    vendors.salesforce.sf.expireTokens()
    try {
      const run = await doctor()
      expect(run.exitCode).toBe(1)
      expect(statusOf(run, 'auth')).toMatchObject({
        status: 'fail',
        fix: expect.stringContaining('sf org login') as string,
      })
    } finally {
      sfToken = await loginToEmulator(vendors, 'concord')
    }
  })

  it('fails a catch-up cursor older than the 72-hour retention, warns one past half of it', async () => {
    const saved = worker.state.subscriber
    const runAt = (ms: number) => ({
      ...saved,
      recentRuns: [
        { ...saved.recentRuns[0]!, finishedAt: new Date(Date.now() - ms).toISOString() },
      ],
    })
    try {
      worker.state.subscriber = runAt(80 * HOUR)
      const old = await doctor()
      expect(statusOf(old, 'CometD catch-up cursor')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/caught up 80\.0 h ago.*past the 72 h retention/) as string,
      })
      expect(old.exitCode).toBe(1)
      worker.state.subscriber = runAt(40 * HOUR)
      expect(statusOf(await doctor(), 'CometD catch-up cursor')?.status).toBe('warn')
    } finally {
      worker.state.subscriber = saved
    }
  })

  it('fails a disabled webhook endpoint, one missing events, and none at all', async () => {
    const list = (await (await stripeEndpoint('GET', '')).json()) as { data: Array<{ id: string }> }
    const id = list.data[0]?.id ?? ''
    await stripeEndpoint('POST', `/${id}`, { disabled: 'true' })
    const disabled = await doctor()
    expect(statusOf(disabled, 'webhook endpoint')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('is disabled') as string,
    })
    expect(disabled.exitCode).toBe(1)

    await stripeEndpoint('POST', `/${id}`, {
      disabled: 'false',
      'enabled_events[0]': 'invoice.paid',
    })
    expect(statusOf(await doctor(), 'webhook endpoint')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('does not send: invoice.created') as string,
    })

    await stripeEndpoint('DELETE', `/${id}`)
    const missing = await doctor()
    expect(statusOf(missing, 'webhook endpoint')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(
        `no endpoint posts to ${worker.url}/v1/webhooks/stripe`,
      ) as string,
    })
  })

  it('fails a Stripe key that is not one, without printing it', async () => {
    const run = await doctor('--stripe-key', 'pk_live_not_a_secret_key')
    expect(statusOf(run, 'key')).toMatchObject({ status: 'fail' })
    expect(run.stdout).not.toContain('pk_live_not_a_secret_key')
  })

  it('fails when NetSuite refuses the M2M login, naming what NetSuite said and where to look', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const wrongKey = join(nsKeyFile, '..', 'wrong.pem')
    writeFileSync(wrongKey, other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())
    const flags = nsFlags.map((f) => (f === nsKeyFile ? wrongKey : f))
    const run = await doctor(...flags)
    expect(run.exitCode).toBe(1)
    const check = statusOf(run, 'M2M login')
    expect(check).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(
        /certificate concord-local-cert-1: .*oauth2\/v1\/token answered 40\d invalid_/,
      ) as string,
      fix: expect.stringContaining('OAuth 2.0 Client Credentials (M2M) Setup') as string,
    })
    expect(statusOf(run, 'concurrency')).toBeUndefined()
  })

  it('fails a NETSUITE_CONCURRENCY above the account’s limit, warns one that takes every slot', async () => {
    const over = await doctor('--netsuite-concurrency', '8')
    expect(statusOf(over, 'concurrency')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('at most 5') as string,
    })
    expect(over.exitCode).toBe(1)
    expect(statusOf(await doctor('--netsuite-concurrency', '5'), 'concurrency')?.status).toBe(
      'warn',
    )
  })

  it('refuses half-given NetSuite settings before checking anything', async () => {
    const run = await doctor('--netsuite-account', '1234567')
    expect(run.exitCode).not.toBe(0)
    expect(run.error?.message).toMatch(
      /Reading the NetSuite settings failed: --netsuite-client-id, --netsuite-certificate-id, --netsuite-private-key-file are missing/,
    )
  })
})
