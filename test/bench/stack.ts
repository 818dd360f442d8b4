import type { ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startVendors, type VendorStack } from '../stack/vendors.ts'
import type { Bundle } from './bundle.ts'
import { exited, freePort, removeTemp, stopChild, tempDir, wrangler } from './processes.ts'

/** The three emulators (in this process) plus one `wrangler dev` of the bench bundle, on loopback. */
export interface BenchStack {
  workerUrl: string
  vendors: VendorStack
  operatorToken: string
  /** Lines wrangler printed that look like trouble (reloads, uncaught errors), for the report. */
  warnings: string[]
  /**
   * Kills `wrangler dev` and its workerd at once (SIGKILL to the process group: no shutdown, no
   * flush), then starts it again on the same port and Durable Object store, as a crash and a
   * restart would. Resolves when the new process answers `/healthz`.
   */
  crash(): Promise<void>
  stop(): Promise<void>
}

/**
 * A value for wrangler's `.env` reader (dotenv): single quotes keep JSON and PEM newlines
 * literally, where double quotes would leave JSON's `\"` escaped.
 * @throws Error for a value holding a single quote (none of the bindings do).
 */
function dotenvValue(key: string, value: string): string {
  if (value.includes("'"))
    throw new Error(`${key}: a value with a single quote can't be written to the env file`)
  return `'${value}'`
}

async function waitHealthy(
  url: string,
  child: ChildProcess,
  log: () => string,
  timeoutMs: number,
): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (child.exitCode !== null)
      throw new Error(`wrangler dev exited (${child.exitCode}):\n${log().slice(-2000)}`)
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) })
      if (res.ok) return
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(
    `wrangler dev did not answer /healthz within ${timeoutMs} ms:\n${log().slice(-2000)}`,
  )
}

/** Keeps wrangler's output that looks like trouble; its failed fetch of request.cf data is expected offline. */
function troubleLines(text: string): string[] {
  return text
    .split('\n')
    .filter(
      (line) => /reload|uncaught|\berror\b/i.test(line) && !/workers\.cloudflare\.com/.test(line),
    )
    .map((line) =>
      line
        // eslint-disable-next-line no-control-regex -- strips ANSI colour codes, which start with ESC
        .replace(/\x1b\[[0-9;]*m/g, '')
        .trim()
        .slice(0, 1500),
    )
}

/**
 * Starts fresh emulators (new keys, empty state, ephemeral ports) and `wrangler dev` of `bundle`
 * with an empty local Durable Object store and `vars` on top of the emulator bindings. Stripe
 * webhooks are not wired here: the caller adds the endpoint with the events it subscribes to.
 * @throws Error when the worker doesn't come up (the emulators are closed again first).
 */
export async function startBenchStack(
  bundle: Bundle,
  vars: Record<string, string>,
): Promise<BenchStack> {
  // Durable Object SQLite on tmpfs when there is one: this VM's disk fsyncs would otherwise set
  // the pace (workerd waits on them), which says more about the disk than about Concord.
  const dir = tempDir('concord-bench-', { memory: true })
  const vendors = await startVendors()
  const port = await freePort()
  const workerUrl = `http://127.0.0.1:${port}`
  const operatorToken = `op_${randomBytes(12).toString('hex')}`
  const sha256 = createHash('sha256').update(operatorToken).digest('hex')
  const all = {
    ...vendors.bindings,
    OPERATOR_TOKENS: JSON.stringify([{ name: 'bench', role: 'operator', sha256 }]),
    ...vars,
  }
  const envFile = join(dir, 'dev.vars')
  writeFileSync(
    envFile,
    Object.entries(all)
      .map(([k, v]) => `${k}=${dotenvValue(k, v)}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  )
  const args = [
    'dev',
    bundle.script,
    '--no-bundle',
    '-c',
    bundle.config,
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
  ]
  let log = ''
  const warnings: string[] = []
  const watch = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000)
    warnings.push(...troubleLines(chunk.toString()).slice(0, Math.max(0, 20 - warnings.length)))
  }
  let child: ChildProcess | undefined
  const launch = async () => {
    const started = wrangler(args)
    child = started
    started.stdout?.on('data', watch)
    started.stderr?.on('data', watch)
    await waitHealthy(workerUrl, started, () => log, 90_000)
  }
  const stop = async () => {
    if (child) await stopChild(child)
    await vendors.close()
    removeTemp(dir)
  }
  const crash = async () => {
    if (child?.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    if (child) await exited(child, 5_000)
    await launch()
  }
  try {
    await launch()
  } catch (err) {
    await stop()
    throw err
  }
  return { workerUrl, vendors, operatorToken, warnings, crash, stop }
}
