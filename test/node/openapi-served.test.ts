import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OPENAPI_PATH } from '../support/openapi.ts'
import { startDevWorker, type DevWorker } from '../stack/dev-worker.ts'

/**
 * The OpenAPI document is a Workers Static Asset (tools/console-assets.ts), answered at the edge
 * before the worker runs, so the workerd tests (`exports.default.fetch`, no assets) cannot see it:
 * here `wrangler dev` serves it as a deploy would.
 */
describe('GET /v1/openapi.json', () => {
  let worker: DevWorker
  beforeAll(async () => {
    worker = await startDevWorker({ vars: {}, memory: true, logLevel: 'warn' })
  }, 180_000)
  afterAll(() => worker?.stop())

  it('serves the committed document, without a token', async () => {
    const res = await fetch(`${worker.url}/v1/openapi.json`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('cache-control')).toBe('public, max-age=300')
    expect(await res.json()).toEqual(JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')))
  })
})
