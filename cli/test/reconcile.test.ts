import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import Reconcile from '../src/commands/concord/reconcile.ts'
import type { DriftReport } from '../src/lib/worker-types.ts'
import { sha256, startFakeWorker, type FakeWorker } from './support/fake-worker.ts'
import { runCommand } from './support/run.ts'

const TOKEN = 'op_reconcile_test_token_5e2a90'
const VIEWER = 'op_reconcile_viewer_token_77c1'
const ACCOUNT = '001000000000001AAA'

describe('sf concord reconcile', () => {
  let worker: FakeWorker
  beforeAll(async () => {
    worker = await startFakeWorker(TOKEN)
  })
  afterAll(() => worker.close())
  beforeEach(() => {
    worker.state.tokens = [
      { sha256: sha256(TOKEN), role: 'operator' },
      { sha256: sha256(VIEWER), role: 'viewer' },
    ]
    worker.state.reconcileReports = []
    worker.state.requests.length = 0
    worker.state.drift = [
      {
        accountId: ACCOUNT,
        object: 'subscription',
        id: 'sub_1',
        cause: 'hand_edit',
        action: 'reported',
        fields: [{ field: 'Quantity__c', salesforce: 99, billing: 5 }],
      },
      {
        accountId: ACCOUNT,
        object: 'subscription',
        id: 'sub_2',
        cause: 'unowned_subscription',
        action: 'exception',
      },
    ]
  })
  const args = (...rest: string[]) => [...rest, '--worker-url', worker.url, '--token', TOKEN]

  it('reports every difference with its cause and the calls per system, repairing nothing by default', async () => {
    const run = await runCommand<DriftReport>(Reconcile, args('--account', ACCOUNT))
    expect(run.exitCode).toBe(0)
    expect(worker.state.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v1/reconcile',
      body: { accountId: ACCOUNT, repair: false },
    })
    expect(run.stdout).toMatch(/subscription sub_1\s+hand_edit\s+reported\s+Quantity__c: 99 → 5/)
    expect(run.stdout).toMatch(/subscription sub_2\s+unowned_subscription\s+exception/)
    expect(run.stdout).toContain('Calls: Stripe 3, Salesforce 1, NetSuite 0, ledgers 0.')
    expect(run.stderr).toContain('1 difference(s) are not Concord')
    expect(run.result?.findings).toHaveLength(2)
    expect(run.stdout + run.stderr).not.toContain(TOKEN)
  })

  it('repairs with --repair, and a second run finds only what it cannot own', async () => {
    const first = await runCommand<DriftReport>(Reconcile, args('--repair'))
    expect(first.result?.findings.map((f) => f.action)).toEqual(['repair_requested', 'exception'])
    expect(worker.state.requests.at(-1)?.body).toEqual({ repair: true })
    const second = await runCommand<DriftReport>(Reconcile, args('--repair'))
    expect(second.result?.findings.map((f) => f.cause)).toEqual(['unowned_subscription'])
    const last = await runCommand<DriftReport>(Reconcile, args('--last'))
    expect(last.result?.runId).toBe(second.result?.runId)
  })

  it('names the role it needs when the token may only read', async () => {
    const run = await runCommand<DriftReport>(Reconcile, [
      '--worker-url',
      worker.url,
      '--token',
      VIEWER,
    ])
    expect(run.exitCode).not.toBe(0)
    expect(run.error?.message).toMatch(/Reconciling every account/)
    expect(run.error?.message).toMatch(/operator/)
  })
})
