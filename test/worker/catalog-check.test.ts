import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { Catalog, CatalogCheckReport, CatalogEntry } from '../../shared/index.ts'
import { loadConfig } from '../../worker/config/load.ts'
import type { CatalogSources } from '../../worker/connectors/catalog.ts'
import { ConnectorError } from '../../worker/failure/errors.ts'
import { catalogSources } from '../../worker/objects/wiring.ts'
import { checkCatalog } from '../../worker/ops/catalog-check.ts'
import { DEMO_PRODUCTS } from '../emulators/salesforce/seed.ts'
import { operatorFetch } from './support/helpers.ts'
import { TEST_VIEWER_TOKEN } from './support/test-config.ts'
import { emulatorControl, salesforceRecords, vendors } from './support/vendors.ts'

/** Writes Salesforce records as an admin would (the emulator's control API). */
async function putSalesforce(object: string, records: Array<Record<string, unknown>>) {
  const answer = await emulatorControl<{ results: Array<{ id?: string }> }>(
    vendors().salesforceUrl,
    'salesforce/put',
    { object, records },
  )
  return answer.results.map((r) => {
    if (!r.id) throw new Error(`could not create ${object}: ${JSON.stringify(answer)}`)
    return r.id
  })
}

async function standardPricebookId(): Promise<string> {
  const books = await salesforceRecords('Pricebook2')
  const id = books.find((b) => b.IsStandard === true)?.Id
  if (typeof id !== 'string') throw new Error('the org has no standard price book')
  return id
}

/** A Product2 and its standard list prices (`{currency: [unitPrice, active]}`). */
async function product(
  code: string,
  prices: Record<string, [number, boolean]>,
  active = true,
): Promise<void> {
  const [id] = await putSalesforce('Product2', [
    { Name: code, ProductCode: code, IsActive: active },
  ])
  const book = await standardPricebookId()
  const entries = Object.entries(prices).map(([currency, [unitPrice, isActive]]) => ({
    Pricebook2Id: book,
    Product2Id: id,
    UnitPrice: unitPrice,
    IsActive: isActive,
    CurrencyIsoCode: currency,
  }))
  if (entries.length > 0) await putSalesforce('PricebookEntry', entries)
}

/** A price made in the Stripe emulator through its API (form-encoded, as Stripe takes it). */
async function stripePrice(fields: Record<string, string>, archive = false): Promise<string> {
  const call = async (path: string, body: Record<string, string>) => {
    const res = await fetch(`${vendors().stripeUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${env.STRIPE_SECRET_KEY}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(body),
    })
    if (!res.ok) throw new Error(`stripe ${path}: ${res.status} ${await res.text()}`)
    return res.json<{ id: string }>()
  }
  const price = await call('/v1/prices', { product: 'prod_pro', ...fields })
  if (archive) await call(`/v1/prices/${price.id}`, { active: 'false' })
  return price.id
}

const tag = () => crypto.randomUUID().slice(0, 8).toUpperCase()

/** A sound offer (the demo's Pro monthly, USD 50.00), for a test to spoil one mapping of. */
const sound = (over: Partial<CatalogEntry> = {}): CatalogEntry => ({
  billingPriceId: 'price_pro_monthly_usd',
  erpItemId: '10',
  interval: 'month',
  currency: 'USD',
  productName: 'Pro seat',
  unitAmount: 5000,
  ...over,
})

const codesOf = (report: CatalogCheckReport) =>
  report.findings.map((f) => `${f.offer ?? '-'} ${f.system} ${f.code} ${f.severity}`).sort()

describe('GET /v1/catalog/check', () => {
  it('refuses a caller without an operator token', async () => {
    const res = await operatorFetch('/v1/catalog/check', { token: 'not-a-token' })
    expect(res.status).toBe(401)
    const text = await res.text()
    expect(text).not.toMatch(/price_|stack|Error:/)
  })

  it('finds the demo catalog clean once Salesforce has its products, and says what is missing before', async () => {
    const before = await operatorFetch('/v1/catalog/check', { token: TEST_VIEWER_TOKEN })
    expect(before.status).toBe(200)
    const first = await before.json<CatalogCheckReport>()
    const missing = first.findings.filter((f) => f.code === 'product_missing')
    expect(missing.map((f) => f.offer).sort()).toEqual([
      'enterprise-annual-eur',
      'pro-annual-usd',
      'pro-monthly-gbp',
      'pro-monthly-usd',
      'team-monthly-usd',
    ])
    expect(first.ok).toBe(false)
    expect(missing.every((f) => f.fix.includes('Product Code'))).toBe(true)

    for (const p of DEMO_PRODUCTS)
      await product(
        p.code,
        Object.fromEntries(Object.entries(p.prices).map(([c, v]) => [c, [v, true]])),
      )
    const after = await operatorFetch('/v1/catalog/check', { token: TEST_VIEWER_TOKEN })
    const report = await after.json<CatalogCheckReport>()
    expect(report).toMatchObject({
      catalogVersion: 'demo-2026-11',
      offers: 5,
      meters: 2,
      ok: true,
      counts: { error: 0, warning: 0 },
      findings: [],
    })
  })
})

describe('checkCatalog', () => {
  it('reports each drift across Stripe, NetSuite and Salesforce with a fix', async () => {
    const t = tag()
    const month = { currency: 'usd', unit_amount: '5000', 'recurring[interval]': 'month' }
    const [archived, euro, cheaper, ...p] = await Promise.all([
      stripePrice(month, true),
      stripePrice({ ...month, currency: 'eur' }),
      stripePrice({ ...month, unit_amount: '4900' }),
      ...Array.from({ length: 7 }, () => stripePrice(month)),
    ])
    const price = (i: number) => p[i] ?? ''
    const inactiveItem = 900_000 + Math.floor(Math.random() * 90_000)
    await emulatorControl(vendors().netsuiteUrl, 'netsuite/seed', {
      items: [
        {
          id: inactiveItem,
          itemId: `OLD-${t}`,
          itemType: 'serviceSaleItem',
          rate: 1,
          isInactive: true,
        },
      ],
    })
    await product(`OK-${t}`, { USD: [50, true] })
    await product(`ANNUAL-${t}`, { USD: [500, true] })
    await product(`OFF-${t}`, { USD: [50, true] }, false)
    await product(`EUR-${t}`, { EUR: [50, true] })
    await product(`SLEEP-${t}`, { USD: [50, false] })
    await product(`DEAR-${t}`, { USD: [55, true] })
    const ok = `OK-${t}`
    const catalog: Catalog = {
      version: `test-${t}`,
      prices: {
        fine: sound({ billingPriceId: price(0), salesforceProductCode: ok }),
        gone: sound({ billingPriceId: `price_gone_${t}`, salesforceProductCode: ok }),
        archived: sound({ billingPriceId: archived, salesforceProductCode: ok }),
        euro: sound({ billingPriceId: euro, salesforceProductCode: ok }),
        cheaper: sound({ billingPriceId: cheaper, salesforceProductCode: ok }),
        twin: sound({
          billingPriceId: cheaper,
          unitAmount: 4900,
          salesforceProductCode: `DEAR-${t}`,
        }),
        annual: sound({
          billingPriceId: 'price_pro_annual_usd',
          unitAmount: 50000,
          salesforceProductCode: `ANNUAL-${t}`,
        }),
        noitem: sound({
          billingPriceId: price(1),
          erpItemId: '987654321',
          salesforceProductCode: ok,
        }),
        olditem: sound({ billingPriceId: price(2), erpItemId: String(inactiveItem) }),
        noproduct: sound({ billingPriceId: price(3), salesforceProductCode: `NONE-${t}` }),
        off: sound({ billingPriceId: price(4), salesforceProductCode: `OFF-${t}` }),
        nousd: sound({ billingPriceId: price(5), salesforceProductCode: `EUR-${t}` }),
        asleep: sound({ billingPriceId: price(6), salesforceProductCode: `SLEEP-${t}` }),
      },
      meters: {
        calls: { eventName: 'concord_api_calls', erpItemId: '20', productName: 'API calls' },
      },
    }
    const report = await checkCatalog(catalog, catalogSources(env, loadConfig(env)))
    expect(codesOf(report)).toEqual(
      [
        'gone billing price_missing error',
        'archived billing price_inactive error',
        'euro billing currency_mismatch error',
        'cheaper billing unit_amount_mismatch error',
        'twin catalog duplicate_billing_price error',
        'twin salesforce list_price_mismatch warning',
        'annual billing interval_mismatch error',
        'noitem erp item_missing error',
        'olditem erp item_inactive error',
        'olditem catalog salesforce_unmapped warning',
        'noproduct salesforce product_missing error',
        'off salesforce product_inactive error',
        'nousd salesforce pricebook_entry_missing error',
        'asleep salesforce pricebook_entry_inactive error',
      ].sort(),
    )
    expect(report).toMatchObject({
      ok: false,
      offers: 13,
      meters: 1,
      counts: { error: 12, warning: 2 },
    })
    expect(report.findings.every((f) => f.message.length > 10 && f.fix.length > 10)).toBe(true)
    // Errors come first: they are what would park an amendment.
    expect(report.findings.findIndex((f) => f.severity === 'warning')).toBe(12)
  })

  it('reports a system it cannot read without its detail, and still checks the others', async () => {
    // A revoked key: Stripe refuses every read.
    const config = loadConfig({ ...env, STRIPE_SECRET_KEY: 'sk_test_revoked_0000000000000000' })
    const catalog: Catalog = {
      version: 'unreachable',
      prices: {
        fine: sound(),
        noitem: sound({
          billingPriceId: 'price_team_monthly_usd',
          unitAmount: 2000,
          erpItemId: '987654321',
        }),
      },
    }
    const report = await checkCatalog(catalog, catalogSources(env, config))
    expect(codesOf(report)).toEqual([
      '- billing system_unavailable error',
      'fine catalog salesforce_unmapped warning',
      'noitem catalog salesforce_unmapped warning',
      'noitem erp item_missing error',
    ])
    const down = report.findings.find((f) => f.code === 'system_unavailable')
    expect(down?.message).toMatch(/^Stripe could not be read \(\w+\)/)
    expect(JSON.stringify(report)).not.toMatch(/sk_test|Invalid API Key|Bearer/i)
  })

  it('tries a read again after a transient failure, and reports a system still failing', async () => {
    let erpCalls = 0
    const busy = new ConnectorError({
      kind: 'transient',
      system: 'netsuite',
      code: 'rate_limited',
      message: 'Concurrency limit exceeded (internal detail)',
      retryAfterMs: 10,
    })
    const sources: CatalogSources = {
      billing: { price: () => Promise.reject(busy) },
      erp: {
        items: (ids) => {
          erpCalls += 1
          return erpCalls === 1
            ? Promise.reject(busy)
            : Promise.resolve(ids.map((id) => ({ id, name: id, inactive: false })))
        },
      },
      salesforce: { products: () => Promise.resolve([]) },
    }
    const report = await checkCatalog({ version: 'retry', prices: { fine: sound() } }, sources)
    expect(erpCalls).toBe(2)
    expect(codesOf(report)).toEqual([
      '- billing system_unavailable error',
      'fine catalog salesforce_unmapped warning',
    ])
    expect(JSON.stringify(report)).not.toContain('internal detail')
  })
})
