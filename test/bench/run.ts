import { execFileSync } from 'node:child_process'
import { cleanUpNow } from './processes.ts'

/** Where the served worker came from: the working tree (with its uncommitted edits), or a commit. */
export interface WorkerSource {
  source: string
  commit: string
  uncommittedWorkerChanges?: number
}

/**
 * A whole number > 0 from `--<name>`, else `BENCH_<NAME>` (dashes as underscores), else the
 * full-run or `--quick` default.
 * @throws Error for anything else.
 */
export function positiveOption(
  name: string,
  flag: string | undefined,
  defaults: { full: number; quick: number },
  quick: boolean,
): number {
  const variable = `BENCH_${name.toUpperCase().replace(/-/g, '_')}`
  const n = Number(flag ?? process.env[variable] ?? (quick ? defaults.quick : defaults.full))
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number`)
  return n
}

/**
 * Makes this process a bench run: every child it started dies with it (exit, Ctrl-C, SIGTERM),
 * and the run stops itself after `capMs` whatever is still going on.
 * @returns a logger that prefixes each line with the seconds since the run started.
 */
export function startRun(
  name: string,
  capMs: number,
): { startedAt: Date; log: (line: string) => void } {
  const startedAt = new Date()
  process.on('exit', cleanUpNow)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => process.exit(130))
  setTimeout(() => {
    console.error(`${name}: stopped after ${capMs / 60_000} minutes`)
    process.exit(2)
  }, capMs).unref()
  const log = (line: string) =>
    console.log(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(1).padStart(5)} s] ${line}`)
  return { startedAt, log }
}

/** The commit the worker is built from, and how many worker files differ from it (working tree). */
export function workerSource(ref: string | undefined): WorkerSource {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim()
    } catch {
      return 'unknown'
    }
  }
  if (ref) return { source: `git ${ref}`, commit: git('rev-parse', '--short', ref) }
  const status = git('status', '--porcelain', '--', 'worker', 'shared', 'wrangler.toml')
  const changed = status === 'unknown' ? undefined : status.split('\n').filter(Boolean).length
  return {
    source: 'working tree',
    commit: git('rev-parse', '--short', 'HEAD'),
    uncommittedWorkerChanges: changed,
  }
}

/** `working tree at abc1234, 2 uncommitted file(s) in …`, for the first log line. */
export function describeSource(worker: WorkerSource): string {
  const changes = worker.uncommittedWorkerChanges
    ? `, ${worker.uncommittedWorkerChanges} uncommitted file(s) in worker/, shared/, wrangler.toml`
    : ''
  return `${worker.source} at ${worker.commit}${changes}`
}
