import { env } from 'cloudflare:workers'
import { runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { amendmentChain, drain, ledger, postEvents } from '../support/helpers.ts'
import { createAccount, salesforceRecords, vendors } from '../support/vendors.ts'
import { drainWriter } from '../webhooks/support.ts'
import { until, untilClockPasses } from '../../support/poll.ts'

async function netsuite(action: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${vendors().netsuiteUrl}/__control/netsuite/${action}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  })
  if (!res.ok) throw new Error(`${action}: ${res.status} ${await res.text()}`)
  return await res.json<Record<string, unknown>>()
}

/** Kicks a run and waits for it (the runtime may start the alarm before the test does). */
async function runSync() {
  const sync = env.ERP_AR_SYNC.getByName('netsuite')
  const kicked = new Date().toISOString()
  await sync.kick()
  await runDurableObjectAlarm(sync)
  return until(
    'the AR sync run to finish',
    async () => {
      const status = await sync.status()
      const run = status.lastRun
      return run && run.startedAt >= kicked && run.finishedAt ? status : undefined
    },
    { intervalMs: 20, describe: () => sync.status() },
  )
}

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)

describe('ErpArSync', () => {
  it('reads NetSuite AR from its watermark, and the Account shows the ERP’s balance, aging and credit hold', async () => {
    const account = await createAccount()
    const [create] = amendmentChain(1, { Account_Id__c: account })
    await postEvents([create])
    await drain(account, 500)
    await netsuite('add-invoice', {
      customer: `eid:${account}`,
      amount: 1200,
      dueDate: daysAgo(40),
      tranDate: daysAgo(70),
      externalId: `NSINV-${account.slice(-6)}`,
    })
    await netsuite('credit-hold', { customer: `eid:${account}`, value: 'ON' })

    // The reader only takes whole seconds that have ended (NetSuite stamps changes by the second).
    await untilClockPasses(Math.ceil(Date.now() / 1000) * 1000)
    const status = await runSync()
    expect(status.lastRun, JSON.stringify(status)).toMatchObject({ outcome: 'ok' })
    expect(status.watermark).toBeTruthy()

    const standing = await ledger(account).financialStanding()
    expect(standing).toMatchObject({ standing: 'hold', creditHold: true, daysPastDue: 40 })
    expect(standing?.exposures).toEqual([
      expect.objectContaining({
        currency: 'USD',
        openBalance: 120_000,
        overdue: 120_000,
        aging: expect.objectContaining({ days31To60: 120_000 }),
      }),
    ])

    await drain(account, 500)
    await drainWriter()
    const row = (await salesforceRecords('Account')).find((r) => r.Id === account)
    expect(row).toMatchObject({
      Concord_Standing__c: 'hold',
      Concord_Credit_Hold__c: true,
      Concord_Balance__c: 1200,
      Concord_Aging_31_60__c: 1200,
      Concord_Days_Past_Due__c: 40,
    })

    // A second run with nothing new changes nothing and keeps the watermark moving forward.
    const again = await runSync()
    expect(again.lastRun?.outcome).toBe('ok')
    expect(again.watermark! >= status.watermark!).toBe(true)
  })
})
