import { Hono } from 'hono/tiny'
import { catalogSources } from '../objects/wiring.ts'
import { checkCatalog } from '../ops/catalog-check.ts'
import { readRawBody, type AppEnv } from './context.ts'
import { requireRole } from './operator-auth.ts'
import { requireSignedRequest } from './signed.ts'

/**
 * `GET /v1/catalog`: the price choices for the amendment component (signed, like all Apex
 * calls). `GET /v1/catalog/check` (operators): the catalog against Stripe, NetSuite and
 * Salesforce, every drift with its fix (`sf concord catalog check`).
 */
export const catalog = new Hono<AppEnv>()
  .get('/', async (c) => {
    await requireSignedRequest(c, await readRawBody(c, 1024))
    const { version, prices } = c.get('config').catalog
    return c.json({
      version,
      prices: Object.entries(prices).map(([priceKey, p]) => ({
        priceKey,
        productName: p.productName,
        interval: p.interval,
        currency: p.currency,
        unitAmount: p.unitAmount,
      })),
    })
  })
  .get('/check', requireRole('viewer'), async (c) => {
    const config = c.get('config')
    const report = await checkCatalog(config.catalog, catalogSources(c.env, config))
    c.get('log')[report.ok ? 'info' : 'warn']('catalog check', {
      version: report.catalogVersion,
      ...report.counts,
      codes: [...new Set(report.findings.map((f) => f.code))].join(','),
    })
    return c.json(report)
  })
