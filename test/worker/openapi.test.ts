import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../worker/app.ts'
import committed from '../../worker/routes/openapi.json'

describe('GET /v1/openapi.json', () => {
  it('serves the committed document, without a token', async () => {
    const res = await exports.default.fetch('https://concord.test/v1/openapi.json')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual(committed)
  })

  it('describes exactly the routes the app serves under /v1', () => {
    const app = createApp({ accessFetch: () => Promise.reject(new Error('no Access here')) })
    const served = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && r.path.startsWith('/v1/'))
        .map((r) => `${r.method} ${r.path.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}')}`),
    )
    const described = new Set(
      Object.entries(committed.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    )
    expect(served.size).toBeGreaterThan(15)
    expect([...described].sort()).toEqual([...served].sort())
  })
})
