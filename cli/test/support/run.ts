import { Config } from '@oclif/core'
import { fileURLToPath } from 'node:url'
import { format } from 'node:util'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
let config: Promise<Config> | undefined

export interface CommandRun<T> {
  result?: T
  error?: Error & { exitCode?: number; actions?: string[] }
  stdout: string
  stderr: string
  /** What the process would exit with: the error's code, else process.exitCode, else 0. */
  exitCode: number
}

/** A command class: oclif types its static `run` loosely, so the result is typed by the caller. */
type Runnable = { run(argv: string[], config: Config): Promise<unknown> }

/**
 * Runs a command class as `sf` would (flags parsed, errors formatted), capturing everything it
 * writes. process.exitCode is read and reset, so one command's failure doesn't leak into the next.
 */
export async function runCommand<T>(command: Runnable, argv: string[]): Promise<CommandRun<T>> {
  config ??= Config.load(ROOT)
  const loaded = await config
  let stdout = ''
  let stderr = ''
  const out = process.stdout.write.bind(process.stdout)
  const err = process.stderr.write.bind(process.stderr)
  process.stdout.write = (chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)
  process.stderr.write = (chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)
  const log = console.log
  const error = console.error
  const warn = console.warn
  // oclif writes through console.log/error, tables through process.stdout.
  console.log = (...args: unknown[]) => void (stdout += `${format(...args)}\n`)
  console.error = (...args: unknown[]) => void (stderr += `${format(...args)}\n`)
  console.warn = console.error
  process.exitCode = undefined
  try {
    const result = (await command.run(argv, loaded)) as T
    return { result, stdout, stderr, exitCode: Number(process.exitCode ?? 0) }
  } catch (e) {
    const error = e as CommandRun<T>['error'] & Error
    return { error, stdout, stderr, exitCode: error.exitCode ?? 1 }
  } finally {
    process.stdout.write = out
    process.stderr.write = err
    console.log = log
    console.error = error
    console.warn = warn
    process.exitCode = undefined
  }
}
