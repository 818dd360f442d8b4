import { randomBytes } from 'node:crypto'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { startVendors } from '../stack/vendors.ts'
import { PointToPoint } from './amendment-baseline.ts'
import { concordOutcome, postAmendments, stepTimes, writerSettled } from './amendment-concord.ts'
import { deliver, planAmendments, type Delivery } from './amendment-load.ts'
import {
  measure,
  printAmendmentSummary,
  writeAmendmentResults,
  type AmendmentRunInfo,
  type ModeResult,
} from './amendment-summary.ts'
import { AppliedWatcher, callCounts, callsBetween, setUpstreamLatency } from './amendment-watch.ts'
import { cpuBetween, readCpu } from './cpu.ts'
import { bundleWorker, type Bundle } from './bundle.ts'
import { tempDir } from './processes.ts'
import { fmtMs, fmtNum } from './report.ts'
import { describeSource, positiveOption, startRun, workerSource } from './run.ts'
import { startBenchStack } from './stack.ts'
import { salesforceAccounts } from './world.ts'

/**
 * `npm run bench:amendments [-- --quick] [--sizes 200x20,1000x100] [--subscriptions N]
 * [--latency-ms N] [--rate N] [--batch N] [--lanes N] [--netsuite-concurrency N]
 * [--vars KEY=value,…] [--modes burst,paced] [--only concord|baseline] [--ref REV]`,
 * or the same as BENCH_* variables.
 *
 * Throughput and latency of signed amendments on the real local stack (the three emulators in
 * this process, each answering `--latency-ms` late, and the worker under `wrangler dev`), beside
 * a point-to-point baseline fed the same amendments in the same run, at each size: N amendments
 * over K accounts, in a burst (throughput) and paced at `--rate` a second (latency). Every run
 * gets fresh emulators and fresh Durable Object state. Prints a table and the issue's goals, and
 * writes test/bench/results/amendments-<date>.json.
 */
const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    subscriptions: { type: 'string' },
    'latency-ms': { type: 'string' },
    rate: { type: 'string' },
    batch: { type: 'string' },
    lanes: { type: 'string' },
    'netsuite-concurrency': { type: 'string' },
    vars: { type: 'string' },
    modes: { type: 'string' },
    only: { type: 'string' },
    ref: { type: 'string' },
  },
})
const quick = flags.quick || process.env.BENCH_QUICK === '1'
const positive = (name: string, flag: string | undefined, full: number, small: number) =>
  positiveOption(name, flag, { full, quick: small }, quick)

function parseSizes(text: string): AmendmentRunInfo['config']['sizes'] {
  return text.split(',').map((part) => {
    const m = /^\s*(\d+)x(\d+)\s*$/.exec(part)
    if (!m) throw new Error(`--sizes takes <amendments>x<accounts>[,…], e.g. 200x20: not "${part}"`)
    return { amendments: Number(m[1]), accounts: Number(m[2]) }
  })
}

/** `KEY=value,KEY=value`: worker variables for Concord's runs, to try a setting. */
function parseVars(text: string): Record<string, string> {
  const pairs = text.split(',').filter((p) => p.trim())
  return Object.fromEntries(
    pairs.map((pair) => {
      const m = /^\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair)
      if (!m) throw new Error(`--vars takes KEY=value[,KEY=value…]: not "${pair}"`)
      return [m[1] as string, (m[2] as string).trim()]
    }),
  )
}

const config: AmendmentRunInfo['config'] = {
  quick,
  sizes: parseSizes(
    flags.sizes ?? process.env.BENCH_SIZES ?? (quick ? '40x4,80x8' : '200x20,1000x100'),
  ),
  subscriptionsPerAccount: positive('subscriptions', flags.subscriptions, 2, 2),
  latencyMs: positive('latency-ms', flags['latency-ms'], 50, 50),
  ratePerS: positive('rate', flags.rate, 50, 50),
  batch: positive('batch', flags.batch, 100, 20),
  lanes: positive('lanes', flags.lanes, 4, 4),
  netsuiteConcurrency: positive('netsuite-concurrency', flags['netsuite-concurrency'], 5, 5),
  concordVars: parseVars(flags.vars ?? process.env.BENCH_VARS ?? ''),
}
const ref = flags.ref ?? process.env.BENCH_REF
const only = flags.only ?? process.env.BENCH_ONLY
if (only && only !== 'concord' && only !== 'baseline')
  throw new Error('--only takes concord or baseline')
/** The whole run stops itself (its children with it) after this, whatever is still going on. */
const RUN_CAP_MS = 30 * 60_000
/** How often the watcher reads the Salesforce emulator's new effects (the times come from them). */
const WATCH_MS = 20
const TICK_MS = 100
/** Amendments whose audit trail is read for the step times. */
const STEP_SAMPLE = 40

const { startedAt, log } = startRun('bench:amendments', RUN_CAP_MS)
const loadAtStart = loadavg()[0] ?? 0
const MODES = (flags.modes ?? process.env.BENCH_MODES ?? 'burst,paced').split(',').map((m) => {
  if (m !== 'burst' && m !== 'paced')
    throw new Error(`--modes takes burst and/or paced: not "${m}"`)
  return m
})
const delivery = (mode: ModeResult['mode']): Delivery =>
  mode === 'burst'
    ? { mode, batch: config.batch, lanes: config.lanes }
    : { mode, ratePerS: config.ratePerS, tickMs: TICK_MS }
/** Long enough for a slow machine, short enough that a stuck run ends inside the cap. */
const waitMs = (n: number, mode: ModeResult['mode']) =>
  Math.max(60_000, n * 300) + (mode === 'paced' ? (n / config.ratePerS) * 1000 : 0)
const deadlineAfter = (ms: number) => Date.now() + ms

type Size = AmendmentRunInfo['config']['sizes'][number]

async function runConcord(bundle: Bundle, size: Size, mode: ModeResult['mode']) {
  const secret = randomBytes(24).toString('hex')
  const stack = await startBenchStack(bundle, {
    LOG_LEVEL: 'warn',
    SALESFORCE_EVENTS_SECRET: secret,
    NETSUITE_CONCURRENCY: String(config.netsuiteConcurrency),
    ...config.concordVars,
  })
  try {
    const accounts = await salesforceAccounts(stack, size.accounts, `C${mode}`)
    await setUpstreamLatency(stack.vendors, config.latencyMs)
    const planned = planAmendments(accounts, size.amendments, config.subscriptionsPerAccount)
    const ids = planned.map((a) => a.id)
    const before = callCounts(stack.vendors)
    const cpuBefore = readCpu(stack.processGroup())
    const watcher = new AppliedWatcher(stack.vendors, WATCH_MS)
    const trips: number[] = []
    const offered = Date.now()
    const intakeAt = await deliver(planned, delivery(mode), async (batch) => {
      trips.push(await postAmendments(stack, secret, batch))
    })
    const intakeMs = Date.now() - offered
    log(`  all ${planned.length} taken by the intake in ${fmtMs(intakeMs)}; waiting for Salesforce`)
    await watcher.waitFor(ids, deadlineAfter(waitMs(size.amendments, mode)))
    const settled = await writerSettled(stack, deadlineAfter(20_000))
    watcher.stop()
    const cpuSeconds = cpuBetween(cpuBefore, readCpu(stack.processGroup())).byName
    const calls = callsBetween(before, callCounts(stack.vendors))
    const outcome = concordOutcome(stack, new Set(ids))
    const steps = await stepTimes(stack, planned, STEP_SAMPLE)
    return measure({
      system: 'concord',
      mode,
      ids,
      accounts: size.accounts,
      intakeAt,
      appliedAt: outcome.appliedAt,
      statusAt: watcher.seenAt,
      intakeRoundTrips: trips,
      intakeMs,
      steps,
      calls,
      cpuSeconds,
      problems: outcome.others.map((o) => `${o.id}: ${o.status}${o.error ? ` (${o.error})` : ''}`),
      warnings: [
        ...(settled ? [] : ['the OrgWriter still held records 20 s after the last status']),
        ...stack.warnings,
      ],
    })
  } finally {
    await stack.stop()
  }
}

async function runBaseline(size: Size, mode: ModeResult['mode']) {
  const vendors = await startVendors({ netsuiteConcurrency: config.netsuiteConcurrency })
  try {
    const stack = { vendors }
    const accounts = await salesforceAccounts(stack, size.accounts, `B${mode}`)
    await setUpstreamLatency(vendors, config.latencyMs)
    const planned = planAmendments(accounts, size.amendments, config.subscriptionsPerAccount)
    const ids = planned.map((a) => a.id)
    const before = callCounts(vendors)
    const watcher = new AppliedWatcher(vendors, WATCH_MS)
    const p2p = new PointToPoint(vendors, { netsuiteConcurrency: config.netsuiteConcurrency })
    const offered = Date.now()
    const intakeAt = await deliver(planned, delivery(mode), (batch) => p2p.accept(batch))
    const intakeMs = Date.now() - offered
    const deadline = deadlineAfter(waitMs(size.amendments, mode))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      p2p.settled(),
      new Promise((r) => (timer = setTimeout(r, deadline - Date.now()))),
    ])
    clearTimeout(timer)
    await watcher.waitFor(ids, Math.min(deadline, deadlineAfter(5_000)))
    watcher.stop()
    return measure({
      system: 'baseline',
      mode,
      ids,
      accounts: size.accounts,
      intakeAt,
      appliedAt: p2p.appliedAt,
      statusAt: watcher.seenAt,
      intakeMs,
      calls: callsBetween(before, callCounts(vendors)),
      problems: p2p.failures.map((f) => `${f.id}: ${f.error}`),
    })
  } finally {
    await vendors.close()
  }
}

const worker = workerSource(ref)
let bundle: Bundle | undefined
if (only !== 'baseline') {
  log(`bundling the worker (${describeSource(worker)})`)
  bundle = await bundleWorker(tempDir('concord-bench-bundle-'), ref)
}

const results: ModeResult[] = []
let failed = false
for (const size of config.sizes) {
  for (const mode of MODES) {
    const runs: Array<[string, () => Promise<ModeResult>]> = []
    if (bundle && only !== 'baseline') {
      const b = bundle
      runs.push(['Concord', () => runConcord(b, size, mode)])
    }
    if (only !== 'concord') runs.push(['baseline', () => runBaseline(size, mode)])
    for (const [name, run] of runs) {
      const what = mode === 'burst' ? 'burst' : `paced at ${config.ratePerS}/s`
      log(`${name}: ${size.amendments} amendments over ${size.accounts} accounts, ${what}`)
      try {
        const r = await run()
        results.push(r)
        log(
          `  ${r.applied}/${r.amendments} applied, ${fmtNum(r.perS)}/s; to Salesforce p50 ${fmtMs(r.intakeToStatus.p50)}, p99 ${fmtMs(r.intakeToStatus.p99)}; Stripe ${r.perAmendment.stripe}, NetSuite ${r.perAmendment.netsuite}, Salesforce ${r.perAmendment.salesforce} calls per amendment`,
        )
        failed ||= !r.complete
      } catch (err) {
        failed = true
        log(`  failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
      }
    }
  }
}

const info: AmendmentRunInfo = { startedAt, loadAtStart, worker, config }
printAmendmentSummary(info, results)
log(`figures written to ${writeAmendmentResults(info, results)}`)
process.exit(failed ? 1 : 0)
