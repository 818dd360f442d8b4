import { createHash, randomBytes } from 'node:crypto'
import { startDevWorker, type DevWorker } from '../stack/dev-worker.ts'
import { startVendors, type VendorStack } from '../stack/vendors.ts'
import type { Bundle } from './bundle.ts'

/** The three emulators (in this process) plus one `wrangler dev` of the bench bundle, on loopback. */
export interface BenchStack {
  workerUrl: string
  vendors: VendorStack
  operatorToken: string
  /** Lines wrangler printed that look like trouble (reloads, uncaught errors), for the report. */
  warnings: string[]
  /** The process group of `wrangler dev` and its workerd, for their CPU time (`cpu.ts`). */
  processGroup(): number | undefined
  /** Kills the worker process and starts it again on the same state (`DevWorker.crash`). */
  crash(): Promise<void>
  stop(): Promise<void>
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
  const vendors = await startVendors()
  const operatorToken = `op_${randomBytes(12).toString('hex')}`
  const sha256 = createHash('sha256').update(operatorToken).digest('hex')
  const all = {
    ...vendors.bindings,
    OPERATOR_TOKENS: JSON.stringify([{ name: 'bench', role: 'operator', sha256 }]),
    ...vars,
  }
  const warnings: string[] = []
  let worker: DevWorker
  try {
    worker = await startDevWorker({
      vars: all,
      args: [bundle.script, '--no-bundle', '-c', bundle.config],
      // Durable Object SQLite on tmpfs when there is one: this VM's disk fsyncs would otherwise set
      // the pace (workerd waits on them), which says more about the disk than about Concord.
      memory: true,
      logLevel: 'warn',
      timeoutMs: 90_000,
      onOutput: (text) =>
        warnings.push(...troubleLines(text).slice(0, Math.max(0, 20 - warnings.length))),
    })
  } catch (err) {
    await vendors.close()
    throw err
  }
  const stop = async () => {
    await worker.stop()
    await vendors.close()
  }
  return {
    workerUrl: worker.url,
    vendors,
    operatorToken,
    warnings,
    processGroup: () => worker.pid(),
    crash: () => worker.crash(),
    stop,
  }
}
