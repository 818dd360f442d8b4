import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { bundleWorker } from './bundle.ts'
import { cpuMsPer, type CpuReading } from './cpu.ts'
import { tempDir } from './processes.ts'
import { fmtInt, fmtMs, fmtNum, table } from './report.ts'
import { describeSource, positiveOption, startRun, workerSource } from './run.ts'
import { startBenchStack } from './stack.ts'
import { salesforceControl } from './vendors-api.ts'
import { runRate, type RateResult } from './webhook-load.ts'
import { webhookWorld } from './webhook-world.ts'

/**
 * `npm run bench:webhooks [-- --quick] [--rates 100,300,500] [--seconds N] [--accounts N]
 * [--duplicates 0.05] [--vars KEY=value,…] [--ref REV]`, or the same as BENCH_* variables.
 *
 * The Stripe webhook path on the real local stack (the emulators in this process, the worker
 * under `wrangler dev`): per target rate, on fresh emulators and a fresh Durable Object store,
 * Stripe's own events of paid subscriptions over many accounts, signed by the official Stripe
 * library and sent open loop at that rate with duplicates. Prints deliveries accepted per second,
 * arrival → 2xx and arrival → the Salesforce write (per invoice, from the Salesforce emulator's
 * record of writes), and Stripe reads and Salesforce calls per 1,000 deliveries.
 */
const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rates: { type: 'string' },
    seconds: { type: 'string' },
    accounts: { type: 'string' },
    duplicates: { type: 'string' },
    seed: { type: 'string' },
    vars: { type: 'string' },
    ref: { type: 'string' },
  },
})
const quick = flags.quick || process.env.BENCH_QUICK === '1'
const rates = (flags.rates ?? process.env.BENCH_RATES ?? (quick ? '100,300' : '100,300,500'))
  .split(',')
  .map((r) => positiveOption('rates', r, { full: 1, quick: 1 }, quick))
const seconds = positiveOption('seconds', flags.seconds, { full: 10, quick: 4 }, quick)
const accounts = positiveOption('accounts', flags.accounts, { full: 200, quick: 40 }, quick)
const seed = positiveOption('seed', flags.seed, { full: 14, quick: 14 }, quick)
const duplicateRate = Number(flags.duplicates ?? process.env.BENCH_DUPLICATES ?? 0.05)
if (!(duplicateRate >= 0 && duplicateRate < 1)) throw new Error('--duplicates takes 0 ≤ x < 1')
const vars: Record<string, string> = { LOG_LEVEL: 'warn' }
for (const pair of (flags.vars ?? process.env.BENCH_VARS ?? '').split(',').filter(Boolean)) {
  const [k, ...v] = pair.split('=')
  if (!k || v.length === 0) throw new Error(`--vars: "${pair}" is not KEY=value`)
  vars[k] = v.join('=')
}
const ref = flags.ref ?? process.env.BENCH_REF
const { startedAt, log } = startRun('bench:webhooks', 20 * 60_000)

const worker = workerSource(ref)
log(`bundling the worker (${describeSource(worker)})`)
const bundle = await bundleWorker(tempDir('concord-bench-bundle-'), ref)
const results: RateResult[] = []
for (const rate of rates) {
  const stack = await startBenchStack(bundle, vars)
  try {
    await salesforceControl(stack, 'limit', { max: 5_000_000 })
    const world = await webhookWorld(stack, { accounts, events: rate * seconds })
    log(
      `${rate}/s: ${world.events.length} events of ${world.invoices.length} paid subscriptions over ${world.accounts} accounts`,
    )
    const r = await runRate(stack, world, {
      ratePerS: rate,
      duplicateRate,
      seed,
      timeoutMs: 120_000,
    })
    log(
      `  ${r.acceptedPerS}/s accepted (healthz ${r.ceilingPerS}/s), 2xx p99 ${fmtMs(r.ack.p99)}, Salesforce p99 ${fmtMs(r.toSalesforce.p99)}, load ${r.load.before.map((l) => l.toFixed(1)).join(' ')}`,
    )
    if (stack.warnings.length) log(`  wrangler: ${stack.warnings.slice(0, 3).join(' | ')}`)
    results.push(r)
  } finally {
    await stack.stop()
  }
}

const rows = results.map((r) => [
  `${r.targetPerS}/s`,
  fmtInt(r.deliveries),
  fmtInt(r.ceilingPerS),
  fmtInt(r.acceptedPerS),
  fmtInt(r.unaccepted),
  `${fmtMs(r.ack.p50)} / ${fmtMs(r.ack.p95)} / ${fmtMs(r.ack.p99)}`,
  `${fmtMs(r.toSalesforce.p50)} / ${fmtMs(r.toSalesforce.p95)} / ${fmtMs(r.toSalesforce.p99)}`,
  fmtInt(r.invoicesNotWritten),
  fmtNum(r.stripeReadsPer1000),
  fmtNum(r.salesforceCallsPer1000),
  r.load.before.map((l) => l.toFixed(1)).join(' '),
])
console.log(
  `\nStripe webhooks, ${accounts} accounts, ${seconds} s per rate, ${Math.round(duplicateRate * 100)} % sent twice (measured on a shared, loaded machine)\n`,
)
console.log(
  table(
    [
      'target',
      'deliveries',
      'healthz/s',
      'accepted/s',
      'refused',
      '→ 2xx p50/p95/p99',
      '→ Salesforce p50/p95/p99',
      'unwritten',
      'Stripe/1k',
      'SF calls/1k',
      'load 1/5/15',
    ],
    rows,
  ),
)
const ms2 = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(2))
const cpuPair = (m: Record<string, number | undefined>) =>
  `${ms2(m.workerd)} / ${ms2(m.node)} / ${ms2(m.all)}`
const ceiling = (m: Record<string, number | undefined>, cores: number) =>
  m.all ? fmtInt(Math.round((cores * 1000) / m.all)) : '–'
console.log(
  `\nCPU per request of the worker's processes (/proc, ms; workerd / wrangler's node / both), ${results[0]?.cpu.cores ?? '?'} cores: the ceiling is cores × 1,000 / CPU ms, whatever the load\n`,
)
console.log(
  table(
    [
      'target',
      'healthz ms',
      'healthz ceiling/s',
      'webhook → 2xx ms',
      'intake ceiling/s',
      'webhook, all work ms',
      'all-work ceiling/s',
      'bench process ms',
    ],
    results.map((r) => [
      `${r.targetPerS}/s`,
      cpuPair(r.cpu.healthzMs),
      ceiling(r.cpu.healthzMs, r.cpu.cores),
      cpuPair(r.cpu.ackMs),
      ceiling(r.cpu.ackMs, r.cpu.cores),
      cpuPair(r.cpu.totalMs),
      ceiling(r.cpu.totalMs, r.cpu.cores),
      ms2(r.cpu.benchMs),
    ]),
  ),
)
// wrangler dev runs two workerd: its own proxy in front (started first) and the worker's.
for (const r of results) {
  const workerd = Object.entries(r.cpu.seconds.healthz.byProcess ?? {})
    .filter(([p]) => p.startsWith('workerd:'))
    .sort(([a], [b]) => Number(a.split(':')[1]) - Number(b.split(':')[1]))
  const each = (span: CpuReading, units: number) =>
    workerd.map(([p]) => ms2(cpuMsPer(span.byProcess?.[p], units))).join(' + ')
  console.log(
    `  ${r.targetPerS}/s: workerd by process (by pid, ms): healthz ${each(r.cpu.seconds.healthz, 1_000)}, webhook → 2xx ${each(r.cpu.seconds.ack, r.deliveries)}`,
  )
}
const met = results.find((r) => r.targetPerS >= 500)
if (met) {
  const ok = met.acceptedPerS >= 500 && (met.toSalesforce.p99 ?? Infinity) < 2000
  console.log(`\nissue 14 goal (≥ 500/s, p99 to Salesforce < 2 s): ${ok ? 'met' : 'missed'}`)
}
const file = join(
  dirname(fileURLToPath(import.meta.url)),
  'results',
  `webhooks-${startedAt.toISOString().slice(0, 10)}${quick ? '-quick' : ''}.json`,
)
mkdirSync(dirname(file), { recursive: true })
writeFileSync(
  file,
  JSON.stringify({ startedAt, worker, vars, seconds, accounts, duplicateRate, results }, null, 2),
)
log(`figures written to ${file}`)
process.exit(results.every((r) => r.unaccepted === 0 && r.invoicesNotWritten === 0) ? 0 : 1)
