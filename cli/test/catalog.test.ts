import { AuthInfo, Connection } from '@salesforce/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVendors, type VendorStack } from '../../test/stack/vendors.ts'
import CatalogCheck, { type CatalogCheckReport } from '../src/commands/concord/catalog/check.ts'
import { loginToEmulator } from './support/org.ts'
import { startRealWorker, type RealWorker } from './support/real-worker.ts'
import { runCommand } from './support/run.ts'

/** `sf concord catalog check` against the real worker (`wrangler dev`) and the emulators. */
describe('sf concord catalog check', () => {
  let vendors: VendorStack
  let worker: RealWorker

  beforeAll(async () => {
    vendors = await startVendors({ seedSalesforce: true })
    worker = await startRealWorker(vendors.bindings)
  })
  afterAll(async () => {
    await worker?.stop()
    await vendors?.close()
  })

  const check = (...extra: string[]) =>
    runCommand<CatalogCheckReport>(CatalogCheck, [
      '--worker-url',
      worker.url,
      '--token',
      worker.token,
      ...extra,
    ])

  /** The org as an admin reaches it: jsforce over REST with a token from the org's JWT flow. */
  const salesforce = async () => {
    const url = vendors.salesforce.url
    const accessToken = await loginToEmulator(vendors, 'catalog')
    return Connection.create({
      authInfo: await AuthInfo.create({
        accessTokenOptions: { accessToken, instanceUrl: url, loginUrl: url },
      }),
      connectionOptions: { version: '65.0' },
    })
  }

  it('finds the demo catalog in step with Stripe, NetSuite and Salesforce', async () => {
    const run = await check()
    expect(run.error).toBeUndefined()
    expect(run.exitCode).toBe(0)
    expect(run.result).toMatchObject({ catalogVersion: 'demo-2026-11', ok: true, findings: [] })
    expect(run.stdout).toContain('No drift that would park an amendment')
  })

  it('reports an archived Stripe price and an inactive Salesforce product with their fixes, and exits 1', async () => {
    const archived = await fetch(`${vendors.stripe.url}/v1/prices/price_team_monthly_usd`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${vendors.bindings.STRIPE_SECRET_KEY ?? ''}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'active=false',
    })
    expect(archived.status).toBe(200)
    const conn = await salesforce()
    const pro = await conn.singleRecordQuery<{ Id: string }>(
      "SELECT Id FROM Product2 WHERE ProductCode = 'PRO-SEAT-A'",
    )
    const retired = await conn.sobject('Product2').update({ Id: pro.Id, IsActive: false })
    expect(retired).toMatchObject({ success: true })

    const run = await check('--json')
    expect(run.exitCode).toBe(1)
    const report = (JSON.parse(run.stdout) as { result: CatalogCheckReport }).result
    expect(report.ok).toBe(false)
    expect(report.findings.map((f) => [f.offer, f.system, f.code])).toEqual([
      ['team-monthly-usd', 'billing', 'price_inactive'],
      ['pro-annual-usd', 'salesforce', 'product_inactive'],
    ])
    expect(report.findings[0]?.fix).toContain('Unarchive price_team_monthly_usd')

    const human = await check()
    expect(human.exitCode).toBe(1)
    expect(human.stdout).toMatch(/ERROR\s+team-monthly-usd\s+Stripe\s+price_inactive/)
    expect(human.stdout).toContain('2 errors, 0 warnings')
    expect(human.stdout + human.stderr).not.toContain(worker.token)
  })
})
