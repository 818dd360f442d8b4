import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { cloudflareSecrets, wranglerSecrets } from '../src/setup/worker-secrets.ts'

const SECRET = 'f00dfeed'.repeat(8)

describe('worker secrets', () => {
  const saved = process.env.CONCORD_WRANGLER
  afterEach(() => {
    if (saved === undefined) delete process.env.CONCORD_WRANGLER
    else process.env.CONCORD_WRANGLER = saved
  })

  /** A stand-in wrangler: records its arguments and stdin, exits with `code`. */
  function fakeWrangler(code: number): { log: string } {
    const dir = mkdtempSync(join(tmpdir(), 'concord-wrangler-'))
    const log = join(dir, 'calls.log')
    const bin = join(dir, 'wrangler')
    writeFileSync(
      bin,
      `#!/bin/sh\necho "args: $*" >> ${log}\necho "stdin: $(cat)" >> ${log}\necho "✘ [ERROR] Authentication error [code: 10000]" >&2\nexit ${code}\n`,
    )
    chmodSync(bin, 0o755)
    process.env.CONCORD_WRANGLER = bin
    return { log }
  }

  it('runs wrangler secret put with the value on stdin, never in the arguments', async () => {
    const { log } = fakeWrangler(0)
    await wranglerSecrets({ workerName: 'concord', cwd: tmpdir() }).put(
      'SALESFORCE_EVENTS_SECRET',
      SECRET,
    )
    const calls = readFileSync(log, 'utf8')
    expect(calls).toContain('args: secret put SALESFORCE_EVENTS_SECRET --name concord\n')
    expect(calls).toContain(`stdin: ${SECRET}\n`)
    expect(calls.split('\n')[0]).not.toContain(SECRET)
  })

  it('says what wrangler answered when it fails, and what to do', async () => {
    fakeWrangler(1)
    const put = wranglerSecrets({ cwd: tmpdir() }).put('STRIPE_WEBHOOK_SECRET', SECRET)
    await expect(put).rejects.toThrow(
      /Storing the worker secret STRIPE_WEBHOOK_SECRET with wrangler failed: wrangler exited 1: .*Authentication error/,
    )
    const err = (await put.catch((e: unknown) => e)) as { actions?: string[]; message: string }
    expect(err.actions?.join(' ')).toContain('wrangler login')
    expect(err.message).not.toContain(SECRET)
  })

  it('puts a secret through the Cloudflare API, and names Cloudflare’s refusal', async () => {
    const seen: Array<{ url: string; auth?: string; body: unknown }> = []
    let status = 200
    const server = createServer((req: IncomingMessage, res) => {
      let text = ''
      req.on('data', (d: Buffer) => (text += d.toString()))
      req.on('end', () => {
        seen.push({
          url: `${req.method} ${req.url}`,
          auth: req.headers.authorization,
          body: JSON.parse(text),
        })
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify(
            status === 200
              ? { success: true, result: {} }
              : { success: false, errors: [{ code: 10000, message: 'Authentication error' }] },
          ),
        )
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`
    try {
      const sink = cloudflareSecrets({
        apiBase: base,
        token: 'cf-token-123456',
        accountId: 'acc1',
        workerName: 'concord',
      })
      await sink.put('SALESFORCE_EVENTS_SECRET', SECRET)
      expect(seen).toEqual([
        {
          url: 'PUT /client/v4/accounts/acc1/workers/scripts/concord/secrets',
          auth: 'Bearer cf-token-123456',
          body: { name: 'SALESFORCE_EVENTS_SECRET', text: SECRET, type: 'secret_text' },
        },
      ])
      status = 403
      const refused = (await sink.put('X', SECRET).catch((e: unknown) => e)) as Error
      expect(refused.message).toMatch(/Cloudflare answered 403: 10000 Authentication error/)
      expect(refused.message).not.toContain('cf-token-123456')
    } finally {
      server.close()
    }
  })
})
