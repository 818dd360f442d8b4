import { env, exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

describe('smoke', () => {
  it('runs a durable object with sqlite', async () => {
    const stub = env.ACCOUNT_LEDGER.getByName('a')
    expect(await stub.ping()).toBe(1)
    const res = await exports.default.fetch('http://x/healthz')
    expect(res.status).toBe(200)
  })
})
