import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('../../..', import.meta.url))
const WRANGLER = join(REPO, 'node_modules', 'wrangler', 'wrangler-dist', 'cli.js')

export interface RealWorker {
  url: string
  /** `cli-test`, an operator. */
  token: string
  /** `cli-approver` (approver) and `cli-admin` (admin): the second person of governed actions. */
  approverToken: string
  adminToken: string
  /** Signs intake requests, as Salesforce's External Credential does. */
  eventsSecret: string
  stop(): Promise<void>
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex')

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => done(port))
    })
  })
}

/**
 * The real worker under `wrangler dev` (as `npm start` runs it), configured with `bindings`
 * (the emulators') and one fresh operator token, its Durable Objects in a temporary directory.
 * @throws Error when it does not answer /healthz within two minutes (the output tail included).
 */
export async function startRealWorker(bindings: Record<string, string>): Promise<RealWorker> {
  const dir = mkdtempSync(join(tmpdir(), 'concord-cli-worker-'))
  const token = `op_${randomBytes(12).toString('hex')}`
  const approverToken = `op_${randomBytes(12).toString('hex')}`
  const adminToken = `op_${randomBytes(12).toString('hex')}`
  const eventsSecret = randomBytes(24).toString('hex')
  const vars: Record<string, string> = {
    ...bindings,
    SALESFORCE_EVENTS_SECRET: eventsSecret,
    OPERATOR_TOKENS: JSON.stringify([
      { name: 'cli-test', role: 'operator', sha256: sha256(token) },
      { name: 'cli-approver', role: 'approver', sha256: sha256(approverToken) },
      { name: 'cli-admin', role: 'admin', sha256: sha256(adminToken) },
    ]),
  }
  const envFile = join(dir, 'dev.vars')
  writeFileSync(
    envFile,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${v.includes('\n') ? `"${v.replace(/\n/g, '\\n')}"` : `'${v}'`}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  )
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--no-warnings',
      WRANGLER,
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(await freePort()),
      '--env-file',
      envFile,
      '--persist-to',
      join(dir, 'state'),
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
    ],
    {
      cwd: REPO,
      detached: true,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let log = ''
  const keep = (c: Buffer) => (log = (log + c.toString()).slice(-4000))
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done))
      process.kill(-child.pid, 'SIGTERM')
      await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000))])
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // The whole group is gone.
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`wrangler dev exited (${child.exitCode}):\n${log}`)
    }
    const up = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) })
      .then((r) => r.ok)
      .catch(() => false)
    if (up) return { url, token, approverToken, adminToken, eventsSecret, stop }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`wrangler dev did not answer /healthz in 2 minutes:\n${log}`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
}
