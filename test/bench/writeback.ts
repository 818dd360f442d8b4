import { parseArgs } from 'node:util'
import { bundleWorker, type Bundle } from './bundle.ts'
import { runEconomy } from './economy.ts'
import { runLatency } from './latency.ts'
import { tempDir } from './processes.ts'
import { fmtMs } from './report.ts'
import { describeSource, positiveOption, startRun, workerSource } from './run.ts'
import { startBenchStack, type BenchStack } from './stack.ts'
import { printSummary, writeResults, type RunInfo, type VariantResult } from './summary.ts'
import { salesforceControl } from './vendors-api.ts'

/**
 * `npm run bench:writeback [-- --quick] [--accounts N] [--updates N] [--samples N] [--rate N]
 * [--poll-ms N] [--only concord|baseline] [--ref REV]`, or the same as BENCH_* variables.
 *
 * Measures the financial write-back to Salesforce on the real local stack (the three emulators
 * in this process, the worker under `wrangler dev`) for Concord's batched OrgWriter and, beside
 * it, a one-call-per-record baseline; each part of each run on fresh emulators and fresh Durable
 * Object state: (1) economy, ~10,000 record updates across 200 accounts → Salesforce API calls;
 * (2) latency, Stripe webhook sent → record visible in the Salesforce emulator, p50 / p99.
 * Prints a table and writes test/bench/results/writeback-<date>.json.
 */
const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    accounts: { type: 'string' },
    updates: { type: 'string' },
    samples: { type: 'string' },
    rate: { type: 'string' },
    'poll-ms': { type: 'string' },
    only: { type: 'string' },
    ref: { type: 'string' },
  },
})
const quick = flags.quick || process.env.BENCH_QUICK === '1'
const positive = (name: string, flag: string | undefined, full: number, small: number) =>
  positiveOption(name, flag, { full, quick: small }, quick)
const config: RunInfo['config'] = {
  quick,
  accounts: positive('accounts', flags.accounts, 200, 20),
  updates: positive('updates', flags.updates, 10_000, 1_000),
  samples: positive('samples', flags.samples, 200, 40),
  ratePerS: positive('rate', flags.rate, 10, 10),
  pollMs: positive('poll-ms', flags['poll-ms'], 25, 25),
}
const ref = flags.ref ?? process.env.BENCH_REF
const only = flags.only ?? process.env.BENCH_ONLY
if (only && only !== 'concord' && only !== 'baseline')
  throw new Error('--only takes concord or baseline')
const ECONOMY_TIMEOUT_MS = quick ? 60_000 : 150_000
const LATENCY_TIMEOUT_MS = 60_000
/** The whole run stops itself (its children with it) after this, whatever is still going on. */
const RUN_CAP_MS = 12 * 60_000

type Variant = Pick<VariantResult, 'name' | 'label' | 'vars'>
const COMMON_VARS = { LOG_LEVEL: 'warn' }
const VARIANTS: Variant[] = [
  {
    name: 'concord',
    label: 'Concord (batched)',
    vars: { WRITER_BATCH_SIZE: '1000', WRITER_FLUSH_MS: '2000' },
  },
  // The baseline is the same worker and writer told not to batch: a batch of one is due at once
  // and 10 ms (the config's minimum) is the flush interval. Each record still travels in a
  // Composite with its refresh hint, so batching is the only difference. A flush reads up to
  // 2 × batch due rows, so when records queue faster than calls return two share a call: the
  // baseline makes at most one call per record and at least one per two, and the output shows
  // which, since it is counted, not assumed.
  {
    name: 'baseline',
    label: 'baseline (batch of 1)',
    vars: { WRITER_BATCH_SIZE: '1', WRITER_FLUSH_MS: '10' },
  },
]

const { startedAt, log } = startRun('bench:writeback', RUN_CAP_MS)

async function withStack<T>(
  bundle: Bundle,
  variant: Variant,
  body: (stack: BenchStack) => Promise<T>,
): Promise<{ result: T; warnings: string[] }> {
  const stack = await startBenchStack(bundle, { ...COMMON_VARS, ...variant.vars })
  try {
    // Room enough that the writer's budget pacing (it spaces flushes out past half its share of
    // the daily allocation) never steps in: it would turn the baseline into a batcher.
    await salesforceControl(stack, 'limit', { max: 5_000_000 })
    return { result: await body(stack), warnings: stack.warnings }
  } finally {
    await stack.stop()
  }
}

const worker = workerSource(ref)
log(`bundling the worker (${describeSource(worker)})`)
const bundle = await bundleWorker(tempDir('concord-bench-bundle-'), ref)

const results: VariantResult[] = []
for (const variant of VARIANTS.filter((v) => !only || v.name === only)) {
  log(
    `${variant.label}: part 1, economy (${config.updates} updates across ${config.accounts} accounts)`,
  )
  const economy = await withStack(bundle, variant, (stack) =>
    runEconomy(stack, {
      accounts: config.accounts,
      updates: config.updates,
      timeoutMs: ECONOMY_TIMEOUT_MS,
      log: (l) => log(`  ${l}`),
    }),
  )
  const e = economy.result
  log(`  ${e.written}/${e.expected} written with ${e.apiCalls} API calls in ${fmtMs(e.elapsedMs)}`)
  log(`${variant.label}: part 2, latency (${config.samples} webhooks, ${config.ratePerS}/s)`)
  const latency = await withStack(bundle, variant, (stack) =>
    runLatency(stack, { ...config, timeoutMs: LATENCY_TIMEOUT_MS, log: (l) => log(`  ${l}`) }),
  )
  const l = latency.result
  log(`  p50 ${fmtMs(l.p50Ms)}, p99 ${fmtMs(l.p99Ms)} over ${l.measured} samples`)
  results.push({
    ...variant,
    vars: { ...COMMON_VARS, ...variant.vars },
    economy: e,
    latency: l,
    warnings: [...economy.warnings, ...latency.warnings],
  })
}

const info: RunInfo = { startedAt, worker, config }
printSummary(info, results)
log(`figures written to ${writeResults(info, results)}`)
process.exit(results.every((r) => r.economy.complete && r.latency.complete) ? 0 : 1)
