import { randomUUID } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pkg from '../../package.json' with { type: 'json' }
import { until } from '../../test/support/poll.ts'
import { startVendors, type VendorStack } from '../../test/stack/vendors.ts'
import { signRequest } from '../../worker/lib/signature.ts'
import Activate from '../src/commands/concord/activate.ts'
import Approve from '../src/commands/concord/approve.ts'
import Doctor, { type DoctorResult } from '../src/commands/concord/doctor.ts'
import ExceptionsList from '../src/commands/concord/exceptions/list.ts'
import ExceptionsRetry from '../src/commands/concord/exceptions/retry.ts'
import type { ParkedActionResult } from '../src/lib/parked-action.ts'
import type { ActivationAnswer, ApprovalAnswer } from '../src/lib/worker-types.ts'
import Replay from '../src/commands/concord/replay.ts'
import {
  connectionFor,
  deployNamedCredential,
  loginToEmulator,
  setUpRelayUser,
  storeSigningSecret,
} from './support/org.ts'
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
    // What setup leaves in the org: the worker's URL and its secret, and the relay user.
    const conn = await connectionFor('concord-real')
    await deployNamedCredential(conn, worker.url)
    storeSigningSecret(vendors, worker.eventsSecret)
    await setUpRelayUser(vendors, conn, 'relay@concord.example')
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
    // The queue as served (its counts line); what it holds depends on the tests before.
    expect(list.error).toBeUndefined()
    expect(list.stdout).toMatch(/^retrying \d+ · needs a data fix \d+ · needs approval \d+$/m)
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

  const keyOf = (id: string) => `SUB-CLI-${id.slice(0, 6)}`

  /** Posts one signed `create` for a demo Account, as the Apex Queueable would. */
  async function postCreate(
    accountId: string,
    fields: Record<string, unknown> = {},
  ): Promise<string> {
    const id = randomUUID()
    const event = {
      attributes: { type: 'Subscription_Amendment__e' },
      EventUuid: id,
      ReplayId: null,
      CreatedDate: new Date().toISOString(),
      CreatedById: null,
      Account_Id__c: accountId,
      Subscription_Key__c: keyOf(id),
      Sequence__c: 1,
      Action__c: 'create',
      Price_Key__c: 'pro-monthly-usd',
      Quantity__c: 7,
      Effective_Date__c: null,
      Proration__c: 'create_prorations',
      Cancel_Mode__c: null,
      Correlation_Id__c: randomUUID(),
      Requested_By__c: null,
      ...fields,
    }
    const body = JSON.stringify({ events: [event] })
    const target = '/v1/salesforce/events'
    const headers = await signRequest(worker.eventsSecret, { method: 'POST', target, body })
    const res = await fetch(`${worker.url}${target}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    })
    expect(res.status).toBe(200)
    return id
  }

  const asWorker = (token: string, ...rest: string[]) => [
    ...rest,
    '--worker-url',
    worker.url,
    '--token',
    token,
  ]

  it('approves a money retry only as a second person with the approver role, then it runs', async () => {
    // Stripe declines the subscription create once (402): the amendment parks at its billing step.
    await fetch(`${vendors.stripe.url}/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ route: 'POST /v1/subscriptions', status: 402, count: 1 }] }),
    })
    const accountId = vendors.salesforce.sf.seed().accountIds[0] ?? ''
    const id = await postCreate(accountId)
    const amendment = () =>
      fetch(`${worker.url}/v1/accounts/${accountId}/amendments/${id}`, {
        headers: { authorization: `Bearer ${worker.token}` },
      }).then((r) => r.json() as Promise<{ state?: string }>)
    await until('the create to park on the declined card', async () =>
      (await amendment()).state === 'parked' ? true : undefined,
    )

    const asked = await runCommand<ParkedActionResult>(
      ExceptionsRetry,
      asWorker(worker.approverToken, id, '--reason', 'card updated', '--json'),
    )
    expect(asked.result?.status).toBe('approval_required')
    const request = asked.result?.status === 'approval_required' ? asked.result.request : undefined
    expect(request?.diff?.billing?.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /v1/subscriptions',
    ])
    expect(request?.diff?.billing?.preview.amountDue).toBeGreaterThan(0)
    const requestId = request?.id ?? ''

    const self = await runCommand(Approve, asWorker(worker.approverToken, requestId))
    expect(self.error?.message).toMatch(
      /403 forbidden: You asked for this action; another approver/,
    )
    const operator = await runCommand(Approve, asWorker(worker.token, requestId))
    expect(operator.error?.message).toMatch(/403 forbidden: This needs the approver role/)
    expect((await amendment()).state).toBe('parked')

    const approved = await runCommand<ApprovalAnswer>(
      Approve,
      asWorker(worker.adminToken, requestId),
    )
    expect(approved.error).toBeUndefined()
    expect(approved.stdout).toContain(`Request ${requestId} approved and run`)
    await until(
      'the approved retry to apply',
      async () => ((await amendment()).state === 'applied' ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 100 },
    )
    expect(vendors.stripe.effects.counts()['subscription.create']).toBe(1)

    const late = await runCommand(
      Approve,
      asWorker(worker.adminToken, requestId, '--reject', '--reason', 'too late'),
    )
    expect(late.error?.message).toMatch(/409 conflict: This request is executed, not pending/)
    expect(`${late.stdout}${late.error?.message ?? ''}`).not.toContain(worker.adminToken)
  })

  it(
    'activates a manual subscription once, and names the rule of one that is not',
    { timeout: 180_000 },
    async () => {
      const accountId = vendors.salesforce.sf.seed().accountIds[0] ?? ''
      const applied = (id: string) => async () => {
        const res = await fetch(`${worker.url}/v1/accounts/${accountId}/amendments/${id}`, {
          headers: { authorization: `Bearer ${worker.token}` },
        })
        return ((await res.json()) as { state?: string }).state === 'applied' ? true : undefined
      }
      const activate = (id: string, ...rest: string[]) =>
        runCommand<ActivationAnswer>(
          Activate,
          asWorker(worker.token, '--account', accountId, '--subscription', keyOf(id), ...rest),
        )
      const manual = await postCreate(accountId, { Activation_Rule__c: 'manual' })
      await until('the manual create to apply', applied(manual), {
        timeoutMs: 60_000,
        intervalMs: 100,
      })

      const asked = await activate(manual, '--json')
      expect(asked.error).toBeUndefined()
      expect(asked.result).toMatchObject({
        status: 'requested',
        activation: { rule: 'manual', subscriptionKey: keyOf(manual) },
      })
      const activatedAt = await until(
        'the ledger to activate it',
        async () => {
          const res = await fetch(`${worker.url}/v1/activations/${accountId}/${keyOf(manual)}`, {
            headers: { authorization: `Bearer ${worker.token}` },
          })
          return ((await res.json()) as { activatedAt?: string }).activatedAt
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      )
      const again = await activate(manual)
      expect(again.stdout).toContain(`${keyOf(manual)} is already activated (at ${activatedAt})`)

      // Billing refuses the next create for now, so no paid first invoice can activate it meanwhile.
      const stripeFaults = (rules: unknown[]) =>
        fetch(`${vendors.stripe.url}/__control/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ rules }),
        })
      await stripeFaults([{ route: 'POST /v1/subscriptions', status: 503, count: 1000 }])
      try {
        const other = await postCreate(accountId, { Activation_Rule__c: 'on_first_invoice_paid' })
        const refused = await activate(other)
        expect(refused.exitCode).not.toBe(0)
        expect(refused.error?.message).toContain(
          `Activating subscription ${keyOf(other)} failed: the worker answered 409 not_manual: Subscription ${keyOf(other)} activates on_first_invoice_paid, not on request.`,
        )
        expect(`${refused.stdout}${refused.error?.message ?? ''}`).not.toContain(worker.token)
      } finally {
        await stripeFaults([])
      }
    },
  )
})
