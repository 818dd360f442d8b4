import type { AcquireRequest, AcquireResult } from './gate.ts'
import { ConnectorError } from '../../failure/errors.ts'
import { decide, toFailure } from '../../failure/policy.ts'

/** Runs work while holding one of the account's concurrency permits. */
export interface PermitSource {
  /** @throws ConnectorError (transient) when no permit came within the wait budget. */
  run<T>(work: () => Promise<T>): Promise<T>
}

/** One account's gate, as the connector reaches it (the `NetsuiteGate` Durable Object). */
export interface GatePort {
  acquire(req: AcquireRequest): Promise<AcquireResult>
  release(permitId: string): Promise<unknown>
}

/** A fresh handle on the named gate each time: a handle that saw an exception may stay broken. */
export type GateResolver = (name: string) => GatePort

export interface GateOptions {
  /** The gate instance, one per NetSuite account. */
  name: string
  size: number
  leaseMs: number
  /** Total time to wait for a permit before giving up with a transient error. */
  maxWaitMs: number
}

/** The gate answers `busy` after this long in line; the caller asks again until `maxWaitMs`. */
const WAIT_PER_CALL_MS = 10_000
/**
 * A gate call that threw (a hiccup of our own object) is tried again after a short jittered
 * pause, three tries in all.
 */
const GATE_RETRY = { maxAttempts: 3, baseMs: 100, capMs: 800 }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Permits from the `NetsuiteGate` Durable Object. */
export function gatePermits(gate: GateResolver, opts: GateOptions): PermitSource {
  const acquire = async (): Promise<string> => {
    const deadline = Date.now() + opts.maxWaitMs
    const holder = crypto.randomUUID()
    let failures = 0
    for (;;) {
      const remaining = deadline - Date.now()
      if (remaining <= 0) {
        throw new ConnectorError({
          category: 'rate_limited',
          system: 'netsuite',
          code: 'netsuite_busy',
          message: `All ${opts.size} NetSuite request slots stayed busy for ${opts.maxWaitMs} ms.`,
          retryAfterMs: 5_000,
        })
      }
      try {
        // A fresh stub each time: a stub that saw an exception may stay broken.
        const result = await gate(opts.name).acquire({
          size: opts.size,
          leaseMs: opts.leaseMs,
          waitMs: Math.min(remaining, WAIT_PER_CALL_MS),
          holder,
        })
        if (result.status === 'granted') return result.permitId
      } catch (err) {
        failures += 1
        const retry = decide(toFailure(err), { attempt: failures, ...GATE_RETRY })
        if (retry.action !== 'retry') {
          throw new ConnectorError({
            kind: 'transient',
            system: 'netsuite',
            code: 'gate_unavailable',
            message: 'The NetSuite concurrency gate did not answer.',
          })
        }
        await sleep(retry.delayMs)
      }
    }
  }
  const release = async (permitId: string): Promise<void> => {
    try {
      await gate(opts.name).release(permitId)
    } catch {
      // The lease ends on its own; until then the slot counts as taken, which errs on the safe side.
    }
  }
  return {
    async run(work) {
      const permitId = await acquire()
      try {
        return await work()
      } finally {
        await release(permitId)
      }
    },
  }
}
