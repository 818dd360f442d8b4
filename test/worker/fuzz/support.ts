import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import fc from 'fast-check'
import { inject } from 'vitest'
import { toId18 } from '../../../shared/index.ts'
import { TEST_EVENTS_SECRET } from '../support/test-config.ts'
import { vendors } from '../support/vendors.ts'

/** The fuzz seed: fixed by default so a run is repeatable; `FUZZ_SEED=<n>` replays another. */
export const FUZZ_SEED = Number(inject('fuzz').seed || 20261207)

/**
 * Runs a property with the fuzz seed. On failure the error names the seed (and fast-check's
 * path), so the exact run can be replayed with `FUZZ_SEED=<n>`.
 * @throws Error carrying fast-check's report, prefixed with the replay command.
 */
export async function fuzz<T>(
  name: string,
  arbitrary: fc.Arbitrary<T>,
  check: (value: T) => Promise<void>,
  numRuns: number,
): Promise<void> {
  try {
    await fc.assert(fc.asyncProperty(arbitrary, check), { seed: FUZZ_SEED, numRuns })
  } catch (err) {
    const report = err instanceof Error ? err.message : String(err)
    console.log(`fuzz ${name} failed; replay with FUZZ_SEED=${FUZZ_SEED}`)
    throw new Error(`fuzz ${name} failed (FUZZ_SEED=${FUZZ_SEED}):\n${report}`, { cause: err })
  }
}

/** Text that must never reach a response: stack frames, SQL, runtime errors, the secrets. */
const LEAKS: ReadonlyArray<RegExp | string> = [
  /at .*\.ts:\d+/,
  /\bstack\b/i,
  /SQLITE/i,
  /\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/,
  /internalMessage/,
  /TypeError|ReferenceError|RangeError|SyntaxError/,
]

const secrets = (): string[] => [
  TEST_EVENTS_SECRET,
  ...(vendors().bindings.STRIPE_WEBHOOK_SECRET ?? '').split(',').filter(Boolean),
  vendors().bindings.STRIPE_SECRET_KEY ?? '',
]

/**
 * A reason why `text` (a response) leaks internal detail, or undefined. Text the request itself
 * carried is an echo, not a leak: a Price_Key__c of "stack" may be named in its own rejection.
 */
export function leakIn(text: string, request: string): string | undefined {
  for (const secret of secrets())
    if (secret && text.includes(secret)) return 'a secret is in the response'
  for (const leak of LEAKS) {
    const found =
      typeof leak === 'string' ? (text.includes(leak) ? leak : undefined) : leak.exec(text)?.[0]
    if (found !== undefined && !request.includes(found))
      return `the response matches ${String(leak)}`
  }
  return undefined
}

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: unknown }
}

/** The error body's reason, or a description of what is wrong with it. */
export function reasonOf(text: string): { ok: true; body: ErrorBody } | { ok: false; why: string } {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return { ok: false, why: `error answer is not JSON: ${text.slice(0, 200)}` }
  }
  const error = (body as Partial<ErrorBody> | null)?.error
  const filled = (v: unknown) => typeof v === 'string' && v.trim().length > 0
  if (!error || !filled(error.code) || !filled(error.message) || !filled(error.requestId))
    return {
      ok: false,
      why: `error answer lacks code, message or requestId: ${text.slice(0, 200)}`,
    }
  return { ok: true, body: body as ErrorBody }
}

/** One quarantined row as stored: the raw payload by its size only (it can be megabytes). */
export interface QuarantineRow {
  id: string
  source: string
  reasons: string
  bytes: number
}

/** Every quarantine row of `source`, read from the OpsRegistry's own SQLite. */
export function quarantineRows(source: string): Promise<QuarantineRow[]> {
  return runInDurableObject(env.OPS_REGISTRY.getByName('global'), (_, state) =>
    state.storage.sql
      .exec<{ id: string; source: string; reasons: string; bytes: number }>(
        'SELECT id, source, reasons, length(CAST(raw AS BLOB)) AS bytes FROM quarantine WHERE source = ?',
        source,
      )
      .toArray(),
  )
}

/** The size of the largest amendment an account's ledger stores, in bytes (0 when none). */
export function largestAmendment(accountId: string): Promise<number> {
  return runInDurableObject(env.ACCOUNT_LEDGER.getByName(toId18(accountId)), (_, state) =>
    Number(
      state.storage.sql
        .exec<{ bytes: number | null }>(
          'SELECT MAX(length(CAST(payload AS BLOB))) AS bytes FROM amendment',
        )
        .one().bytes ?? 0,
    ),
  )
}

/**
 * A Durable Object's SQLite row holds at most 2 MB in production; workerd in tests does not
 * enforce it, so the fuzz checks that nothing it stored would have been refused there.
 */
export const PRODUCTION_ROW_LIMIT = 2_000_000

/** What a fuzz file sent and saw, printed at the end of the run. */
export class Figures {
  requests = 0
  bodies = 0
  refusals = 0
  quarantined = 0
  serverErrors = 0
  byStatus = new Map<number, number>()

  count(status: number): void {
    this.requests++
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1)
    if (status >= 500) this.serverErrors++
  }

  print(name: string, startedAt: number): void {
    const statuses = [...this.byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`)
    console.log(
      `fuzz ${name} (FUZZ_SEED=${FUZZ_SEED}): ${this.bodies} bodies in ${this.requests} requests, ` +
        `${this.refusals} refusals, ${this.quarantined} quarantined, ${this.serverErrors} 5xx, ` +
        `statuses ${statuses.join(' ')}, ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
    )
  }
}
