import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'
import { exited, freePort, removeTemp, stopChild, tempDir, wrangler } from '../bench/processes.ts'
import { until } from '../support/poll.ts'

const REPO = fileURLToPath(new URL('../..', import.meta.url))

/** One `wrangler dev` of the worker on loopback, answering `/healthz`. */
export interface DevWorker {
  url: string
  /** The last 20,000 characters wrangler printed. */
  log(): string
  /** wrangler's process id, which is also its process group's (workerd runs in that group). */
  pid(): number | undefined
  /**
   * Kills wrangler and its workerd at once (SIGKILL to the process group: no shutdown, no flush),
   * then starts it again on the same port and Durable Object state, as a crash and a restart
   * would. Resolves when the new process answers `/healthz`.
   */
  crash(): Promise<void>
  /** Stops wrangler (and workerd beneath it) and removes its state directory. */
  stop(): Promise<void>
}

export interface DevWorkerOptions {
  /** Vars and secrets, written to a private env file (wrangler's `--env-file`). */
  vars: Record<string, string>
  /** Arguments before the common ones: a script and `-c config` for a prebuilt bundle. */
  args?: string[]
  /** Where wrangler runs (its wrangler.toml); the repository's root by default. */
  cwd?: string
  /** Durable Object state on tmpfs when there is one (`tempDir`'s `memory`). */
  memory?: boolean
  /** Passed as `--log-level` when given. */
  logLevel?: 'warn' | 'error'
  /** The loopback port, when the caller must know the URL before (a free one by default). */
  port?: number
  /** Called with each chunk wrangler prints (the bench keeps its trouble lines). */
  onOutput?: (text: string) => void
  timeoutMs?: number
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

/**
 * Starts `wrangler dev` (as `npm start` runs the worker: static assets, local Durable Objects in
 * a fresh temporary directory) on free loopback ports and waits for `/healthz`.
 * @throws Error when wrangler exits or the worker does not answer in time (with the output tail);
 *   wrangler is stopped and its directory removed first.
 */
export async function startDevWorker(options: DevWorkerOptions): Promise<DevWorker> {
  const dir = tempDir('concord-dev-', { memory: options.memory })
  const envFile = join(dir, 'dev.vars')
  const lines = Object.entries(options.vars).map(([k, v]) => `${k}=${dotenvValue(k, v)}`)
  writeFileSync(envFile, `${lines.join('\n')}\n`, { mode: 0o600 })
  const port = options.port ?? (await freePort())
  const url = `http://127.0.0.1:${port}`
  const args = [
    'dev',
    ...(options.args ?? []),
    ...['--ip', '127.0.0.1', '--port', String(port)],
    ...['--inspector-port', String(await freePort())],
    ...['--env-file', envFile, '--persist-to', join(dir, 'state')],
    '--show-interactive-dev-session=false',
    ...(options.logLevel ? ['--log-level', options.logLevel] : []),
  ]
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000)
    options.onOutput?.(chunk.toString())
  }
  let child: ChildProcess | undefined
  const launch = async () => {
    const started = wrangler(args, { cwd: options.cwd ?? REPO })
    child = started
    started.stdout?.on('data', keep)
    started.stderr?.on('data', keep)
    await until('wrangler dev to answer /healthz', () => healthy(url, started.exitCode, output), {
      timeoutMs: options.timeoutMs ?? 120_000,
      intervalMs: 250,
      describe: () => output.slice(-2000),
    })
  }
  const worker: DevWorker = {
    url,
    log: () => output,
    pid: () => child?.pid,
    crash: async () => {
      if (child?.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      if (child) await exited(child, 5_000)
      await launch()
    },
    stop: async () => {
      if (child) await stopChild(child)
      removeTemp(dir)
    },
  }
  try {
    await launch()
  } catch (err) {
    await worker.stop()
    throw err
  }
  return worker
}

async function healthy(url: string, exitCode: number | null, output: string): Promise<boolean> {
  if (exitCode !== null)
    throw new Error(`wrangler dev exited (${exitCode}):\n${output.slice(-2000)}`)
  const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) }).catch(
    () => null,
  )
  return res?.ok ?? false
}
