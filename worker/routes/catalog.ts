import { Hono } from 'hono/tiny'
import { readRawBody, type AppEnv } from './context.ts'
import { requireSignedRequest } from './signed.ts'

/** `GET /v1/catalog`: the price choices for the amendment component (signed, like all Apex calls). */
export const catalog = new Hono<AppEnv>().get('/', async (c) => {
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
