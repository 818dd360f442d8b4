import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { bundleWorker } from './bundle.ts'
import { tempDir } from './processes.ts'
import { fmtMs, fmtNum, table } from './report.ts'
import { describeSource, positiveOption, startRun, workerSource } from './run.ts'
import { startBenchStack, type BenchStack } from './stack.ts'
import {
  baselineReport,
  planUsage,
  postUsageBatches,
  subscribeAll,
  waitReported,
  type BenchRecord,
} from './usage-load.ts'
import { salesforceAccounts } from './world.ts'

/**
 * `npm run bench:usage [-- --quick] [--records N] [--accounts N] [--batch N] [--lanes N]
 * [--minutes N] [--ref REV]`, or the same as BENCH_* variables.
 *
 * Usage records per second on the real local stack (the emulators in this process, the worker
 * under `wrangler dev`): Concord takes signed batches on `POST /v1/usage` (accepted: durable in
 * the ledgers) and reports them to the Stripe emulator as one meter event per customer, meter and
 * minute (reported: every aggregate taken by Stripe). Beside it, in the same run and against the
 * same emulator, the baseline sends one meter event per record, `--lanes` at a time. Both are
 * checked against what the Stripe emulator counted.
 */
const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    records: { type: 'string' },
    accounts: { type: 'string' },
    batch: { type: 'string' },
    lanes: { type: 'string' },
    minutes: { type: 'string' },
    ref: { type: 'string' },
  },
})
const quick = flags.quick || process.env.BENCH_QUICK === '1'
const opt = (name: string, flag: string | undefined, full: number, small: number) =>
  positiveOption(name, flag, { full, quick: small }, quick)
const config = {
  quick,
  records: opt('records', flags.records, 20_000, 2_000),
  accounts: opt('accounts', flags.accounts, 20, 4),
  batch: Math.min(10_000, opt('batch', flags.batch, 5_000, 1_000)),
  lanes: opt('lanes', flags.lanes, 8, 8),
  minutes: opt('minutes', flags.minutes, 5, 3),
}
const { startedAt, log } = startRun('bench:usage', 20 * 60_000)

/** What the Stripe emulator counted for these records: meter events made, and their total. */
function stripeCount(stack: BenchStack, prefix: (id: string) => boolean) {
  const made = stack.vendors.stripe.stripe.effects
    .all()
    .filter((e) => e.kind === 'meter_event.create' && prefix(String(e.detail?.['identifier'])))
  return { events: made.length, total: made.reduce((s, e) => s + Number(e.detail?.['value']), 0) }
}

async function run(stack: BenchStack, secret: string) {
  const accounts = await salesforceAccounts(stack, config.accounts, 'usage')
  const subs = await subscribeAll(stack, secret, accounts, 300_000)
  const records = planUsage(subs, config.records, config.minutes)
  const expected = records.reduce((s, r) => s + r.quantity, 0)
  log(`${subs.length} subscriptions ready; ${records.length} records, quantity ${expected}`)

  const t0 = Date.now()
  const counts = await postUsageBatches(stack, secret, records, config.batch)
  const acceptedMs = Date.now() - t0
  log(`  Concord accepted ${JSON.stringify(counts)} in ${fmtMs(acceptedMs)}; waiting for Stripe`)
  const aggregates = await waitReported(stack, subs, 600_000)
  const reportedMs = Date.now() - t0
  const concord = stripeCount(stack, (id) => !id.startsWith('baseline:'))

  const t1 = Date.now()
  await baselineReport(stack, subs, records, config.lanes)
  const baselineMs = Date.now() - t1
  const baseline = stripeCount(stack, (id) => id.startsWith('baseline:'))
  return {
    records,
    expected,
    counts,
    acceptedMs,
    reportedMs,
    aggregates,
    concord,
    baselineMs,
    baseline,
  }
}

function report(r: Awaited<ReturnType<typeof run>>, load: number[]) {
  const perS = (ms: number) => fmtNum((r.records.length / ms) * 1000)
  console.log(
    table(
      [
        '',
        'records',
        'accepted (records/s)',
        'reported to Stripe (records/s)',
        'Stripe calls',
        'Stripe total = sent',
      ],
      [
        [
          'Concord (batches, per-minute aggregates)',
          String(r.records.length),
          `${perS(r.acceptedMs)} (${fmtMs(r.acceptedMs)})`,
          `${perS(r.reportedMs)} (${fmtMs(r.reportedMs)})`,
          String(r.concord.events),
          String(r.concord.total === r.expected),
        ],
        [
          'baseline (one call per record)',
          String(r.records.length),
          '—',
          `${perS(r.baselineMs)} (${fmtMs(r.baselineMs)})`,
          String(r.baseline.events),
          String(r.baseline.total === r.expected),
        ],
      ],
    ),
  )
  console.log(
    `\nThe machine is shared and loaded (load average ${load.map((l) => l.toFixed(1)).join(' / ')} at the start): ` +
      'absolute rates are far below what an idle machine gives; the call counts do not depend on it.',
  )
}

const bundle = await bundleWorker(tempDir('concord-bench-usage-'), flags.ref)
const source = workerSource(flags.ref)
const load = loadavg()
log(`bench:usage ${JSON.stringify(config)} — worker from ${describeSource(source)}`)
const secret = randomBytes(24).toString('hex')
const stack = await startBenchStack(bundle, { LOG_LEVEL: 'warn', SALESFORCE_EVENTS_SECRET: secret })
try {
  const result = await run(stack, secret)
  report(result, load)
  const dir = join('test', 'bench', 'results')
  mkdirSync(dir, { recursive: true })
  const file = join(
    dir,
    `usage-${startedAt.toISOString().slice(0, 10)}${quick ? '-quick' : ''}.json`,
  )
  const { records: _records, ...figures } = result
  writeFileSync(
    file,
    JSON.stringify(
      { startedAt, config, source, loadavg: load, warnings: stack.warnings, ...figures },
      null,
      2,
    ),
  )
  log(`results in ${file}`)
  if (result.concord.total !== result.expected || result.baseline.total !== result.expected)
    process.exitCode = 1
} finally {
  await stack.stop()
}
export type { BenchRecord }
