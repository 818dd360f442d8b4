import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../worker/app.ts'
import committed from '../../worker/routes/openapi.json'

/**
 * Served at the edge as a static asset (tools/console-assets.ts), beside the worker's own routes;
 * `test/node/openapi-served.test.ts` fetches it from `wrangler dev`.
 */
const SERVED_AS_ASSETS = ['GET /v1/openapi.json']

describe('the OpenAPI document', () => {
  it('describes exactly the routes the app serves under /v1', () => {
    const app = createApp({ accessFetch: () => Promise.reject(new Error('no Access here')) })
    const served = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && r.path.startsWith('/v1/'))
        .map((r) => `${r.method} ${r.path.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}')}`),
    )
    for (const route of SERVED_AS_ASSETS) served.add(route)
    const described = new Set(
      Object.entries(committed.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    )
    expect(served.size).toBeGreaterThan(15)
    expect([...described].sort()).toEqual([...served].sort())
  })

  it('is not a worker route: the edge answers it before the worker runs', async () => {
    const res = await exports.default.fetch('https://concord.test/v1/openapi.json')
    expect(res.status).toBe(404)
  })
})
