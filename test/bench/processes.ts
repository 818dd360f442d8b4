import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// wrangler's CLI itself, not its bin wrapper (which only re-spawns it): one process to signal.
// Found from this file, so a workspace's tests (cli/) that run elsewhere find the same one.
const WRANGLER = fileURLToPath(
  new URL('../../node_modules/wrangler/wrangler-dist/cli.js', import.meta.url),
)
const CHILD_ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' }

const children = new Set<ChildProcess>()
const dirs = new Set<string>()

/** A fresh temporary directory, removed by `removeTemp` or, at the latest, by `cleanUpNow`. */
export function tempDir(prefix: string, opts: { memory?: boolean } = {}): string {
  const base = opts.memory && existsSync('/dev/shm') ? '/dev/shm' : tmpdir()
  const dir = mkdtempSync(join(base, prefix))
  dirs.add(dir)
  return dir
}

export function removeTemp(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  dirs.delete(dir)
}

/**
 * Kills every child this module started (each with its whole process group: wrangler runs
 * workerd beneath it) and removes the temporary directories. Synchronous, for `process.on('exit')`.
 */
export function cleanUpNow(): void {
  for (const child of children) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  dirs.clear()
}

/** Runs the project's wrangler in its own process group, so it can be stopped with its children. */
export function wrangler(args: string[], opts: { cwd?: string } = {}): ChildProcess {
  const child = spawn(process.execPath, ['--no-warnings', WRANGLER, ...args], {
    cwd: opts.cwd,
    env: CHILD_ENV,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}

export async function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      done(true)
    })
  })
}

/**
 * Asks the child to stop (SIGTERM: wrangler then shuts workerd down and reaps it), and after 5
 * seconds SIGKILLs whatever is left of its process group.
 */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return
  try {
    process.kill(child.pid, 'SIGTERM')
  } catch {
    // Already gone; its group may not be.
  }
  await exited(child, 5_000)
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    // The whole group is gone.
  }
  await exited(child, 2_000)
}

/** A free loopback port (asked of the OS, then released for the child to take). */
export async function freePort(): Promise<number> {
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
