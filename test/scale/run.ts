import { randomBytes } from 'node:crypto'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { HANDLED_EVENTS } from '../../cli/src/doctor/stripe.ts'
import { seededRandom } from '../emulators/common/faults.ts'
import { postAmendments } from '../bench/amendment-concord.ts'
import { callCounts, callsBetween } from '../bench/amendment-watch.ts'
import { bundleWorker } from '../bench/bundle.ts'
import { tempDir } from '../bench/processes.ts'
import { fmtMs, fmtNum, table } from '../bench/report.ts'
import { describeSource, positiveOption, startRun, workerSource } from '../bench/run.ts'
import { startBenchStack, type BenchStack } from '../bench/stack.ts'
import { stripeControl } from '../bench/vendors-api.ts'
import { addWebhookEndpoint, salesforceAccounts } from '../bench/world.ts'
import { DISRUPTIONS, disrupt, setRateFaults } from './faults.ts'
import { clean, judge, type Verdict } from './judge.ts'
import { SettleWatch, timeline, webhookBacklog } from './settling.ts'
import { chains, type Chain, type ChainedAmendment } from './workload.ts'
import { pickMerges, postMerges, type Merge } from './merges.ts'

/**
 * `npm run chaos:scale [-- --quick] [--amendments N] [--accounts N] [--seed N] [--faults-end F]
 *   [--merges SHARE]`
 *
 * The chaos project at scale, outside `npm test` (a nightly job): N signed amendments over K
 * accounts on the real local stack (emulators in this process, the worker under `wrangler dev`),
 * delivered shuffled with one in ten sent twice, Stripe's webhooks shuffled and duplicated, about
 * one vendor request in six faulted, an outage of each vendor and three SIGKILLs of the worker
 * process; `--merges` of the accounts (default 0.05, 0 for none) merged into others of the run
 * while their amendments are pending, each merge sent twice. Judged from the emulators' state only (test/scale/judge.ts): 0 lost, 0 duplicate
 * effects, 0 out of order, 0 divergent mirrors, every parked amendment explained, settled within
 * 60 s of the last fault. Prints a table; exits 1 when an invariant fails.
 */
const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    amendments: { type: 'string' },
    accounts: { type: 'string' },
    seed: { type: 'string' },
    'faults-end': { type: 'string' },
    merges: { type: 'string' },
  },
})
const quick = flags.quick || process.env.BENCH_QUICK === '1'
const accountsN = positiveOption('accounts', flags.accounts, { full: 500, quick: 30 }, quick)
const amendmentsN = positiveOption(
  'amendments',
  flags.amendments,
  { full: 10_000, quick: 600 },
  quick,
)
const seed = positiveOption(
  'seed',
  flags.seed ?? process.env.CHAOS_SEED,
  { full: 20261207, quick: 20261207 },
  quick,
)
const faultsEnd = Number(flags['faults-end'] ?? 0.97)
const mergeShare = Number(flags.merges ?? 0.05)
if (!(mergeShare >= 0 && mergeShare <= 0.5))
  throw new Error(`--merges must be a share of the accounts from 0 to 0.5, not ${flags.merges}`)
const SUBSCRIPTIONS = 2
const perSubscription = Math.max(2, Math.round(amendmentsN / accountsN / SUBSCRIPTIONS))
const SETTLE_GOAL_MS = 60_000
const { log } = startRun('chaos:scale', quick ? 20 * 60_000 : 150 * 60_000)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Posts a batch as Apex would: again after a refused connection or a 5xx (the intake dedupes). */
async function send(stack: BenchStack, secret: string, batch: ChainedAmendment[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await postAmendments(stack, secret, batch)
      return
    } catch (err) {
      if (attempt >= 30) throw err
      await sleep(1_000)
    }
  }
}

/** Shuffled, one in ten twice, in batches of 200 at `ratePerS`, without waiting for answers. */
async function deliverAll(stack: BenchStack, secret: string, all: Chain[], random: () => number) {
  const flat = all.flat()
  const deliveries = [...flat, ...flat.filter(() => random() < 0.1)]
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[deliveries[i], deliveries[j]] = [
      deliveries[j] as ChainedAmendment,
      deliveries[i] as ChainedAmendment,
    ]
  }
  const sent: Array<Promise<void>> = []
  for (let i = 0; i < deliveries.length; i += 200) {
    sent.push(send(stack, secret, deliveries.slice(i, i + 200)))
    await sleep(1_000)
  }
  await Promise.all(sent)
  return deliveries.length
}

const finalShare = (stack: BenchStack, ids: Set<string>) => {
  let n = 0
  for (const r of stack.vendors.salesforce.sf.records('Subscription_Sync__c'))
    if (
      ids.has(String(r.External_Id__c)) &&
      ['applied', 'parked', 'rejected', 'superseded'].includes(String(r.Status__c))
    )
      n++
  return n / ids.size
}

/** Runs the disruptions as progress reaches each, then lifts the rate faults at `faultsEnd`. */
async function disruptions(stack: BenchStack, ids: Set<string>): Promise<number> {
  let lastFault = Date.now()
  for (const d of [...DISRUPTIONS, { at: faultsEnd, kind: 'end' as const }]) {
    while (finalShare(stack, ids) < d.at) await sleep(500)
    if (d.kind === 'end') break
    log(`  ${(finalShare(stack, ids) * 100).toFixed(0)} % final: ${d.kind}; ${backlogText(stack)}`)
    lastFault = Math.max(lastFault, await disrupt(stack, d))
  }
  await sleep(Math.max(0, lastFault - Date.now()))
  setRateFaults(stack, seed, false)
  log(
    `  ${(finalShare(stack, ids) * 100).toFixed(0)} % final: every fault lifted; ${backlogText(stack)}`,
  )
  return Date.now()
}

const backlogText = (stack: BenchStack) => {
  const b = webhookBacklog(stack.vendors)
  return `${b.queued} webhooks queued at Stripe (oldest ${fmtMs(b.oldestMs)})`
}

/**
 * Salesforce merges Accounts while their amendments are pending: once a fifth of the amendments
 * are final, and each merge again (as the relay's retry would) once half are.
 */
async function mergeDuring(stack: BenchStack, secret: string, merges: Merge[], ids: Set<string>) {
  if (merges.length === 0) return
  for (const share of [0.2, 0.5]) {
    while (finalShare(stack, ids) < share) await sleep(500)
    await postMerges(stack, secret, merges)
    log(`  ${(finalShare(stack, ids) * 100).toFixed(0)} % final: ${merges.length} Account merges`)
  }
}

async function settle(
  stack: BenchStack,
  all: Chain[],
  merges: Merge[],
  deadline: number,
  watch: SettleWatch,
): Promise<Verdict> {
  for (let round = 1; ; round++) {
    const verdict = judge(stack.vendors, all, merges)
    watch.observe(verdict.outstanding, Date.now())
    if (clean(verdict) || Date.now() > deadline) return verdict
    if (round % 10 === 0)
      log(
        `  waiting: ${verdict.lost} not final, ${verdict.divergentMirrors} mirrors differ; ${backlogText(stack)}; ${verdict.examples[0] ?? ''}`,
      )
    await sleep(2_000)
  }
}

async function main() {
  const worker = workerSource(undefined)
  log(
    `chaos:scale ${amendmentsN} amendments over ${accountsN} accounts, seed ${seed}, ${describeSource(worker)}`,
  )
  const bundle = await bundleWorker(tempDir('concord-scale-build-'))
  const secret = randomBytes(24).toString('hex')
  const stack = await startBenchStack(bundle, {
    LOG_LEVEL: 'warn',
    SALESFORCE_EVENTS_SECRET: secret,
    RETRY_BASE_MS: '250',
    RETRY_CAP_MS: '8000',
    MAX_TRANSIENT_ATTEMPTS: '60',
    SEQUENCE_GAP_WINDOW_SECONDS: '3600',
  })
  try {
    const random = seededRandom(seed)
    const accounts = await salesforceAccounts(stack, accountsN, 'S')
    await addWebhookEndpoint(stack, [...HANDLED_EVENTS])
    await stripeControl(stack, 'delivery', {
      shuffle: true,
      duplicateRate: 0.1,
      jitterMs: 1500,
      seed,
      maxAttempts: 12,
      retryBaseMs: 500,
    })
    const all = chains(accounts, SUBSCRIPTIONS, perSubscription, random)
    const merges = pickMerges(accounts, mergeShare, random)
    const ids = new Set(all.flat().map((a) => a.id))
    setRateFaults(stack, seed, true)
    const before = callCounts(stack.vendors)
    const started = Date.now()
    const [deliveries, lastFault] = await Promise.all([
      deliverAll(stack, secret, all, random),
      disruptions(stack, ids),
      mergeDuring(stack, secret, merges, ids),
    ])
    const backlog = webhookBacklog(stack.vendors, lastFault)
    const watch = new SettleWatch(lastFault)
    const verdict = await settle(stack, all, merges, lastFault + 10 * 60_000, watch)
    const settledMs = Date.now() - lastFault
    report(verdict, watch, stack.vendors, {
      deliveries,
      wallMs: Date.now() - started,
      settledMs,
      backlog,
      calls: callsBetween(before, callCounts(stack.vendors)),
      n: ids.size,
      merges: merges.length,
    })
    process.exitCode = clean(verdict) && settledMs <= SETTLE_GOAL_MS ? 0 : 1
  } finally {
    await stack.stop()
  }
}

function report(
  v: Verdict,
  watch: SettleWatch,
  vendors: BenchStack['vendors'],
  r: {
    deliveries: number
    wallMs: number
    settledMs: number
    backlog: ReturnType<typeof webhookBacklog>
    calls: ReturnType<typeof callsBetween>
    n: number
    merges: number
  },
) {
  const per = (calls: number) => fmtNum(calls / r.n)
  const rows = [
    ['amendments (deliveries)', `${fmtNum(r.n)} (${fmtNum(r.deliveries)})`, ''],
    ['applied / parked', `${fmtNum(v.applied)} / ${fmtNum(v.parked)}`, ''],
    ['Account merges while pending (each sent twice)', String(r.merges), ''],
    ['lost', String(v.lost), '0'],
    ['duplicate effects', String(v.duplicateEffects), '0'],
    ['out of order', String(v.outOfOrder), '0'],
    ['divergent mirrors', String(v.divergentMirrors), '0'],
    ['parked without a reason', String(v.unexplained), '0'],
    ['settled after the last fault', fmtMs(r.settledMs), `≤ ${fmtMs(SETTLE_GOAL_MS)}`],
    ...watch
      .byKind()
      .map((k) => [
        `  waited on: ${k.kind} (at the last fault)`,
        `${fmtNum(k.count)}, last ${k.open > 0 ? `${k.open} never` : `+${fmtMs(k.lastMs)}`}`,
        '',
      ]),
    [
      'webhooks queued at Stripe at the last fault (oldest)',
      `${fmtNum(r.backlog.queued)} (${fmtMs(r.backlog.oldestMs)})`,
      '',
    ],
    [
      'webhook deliveries (mean answer)',
      `${fmtNum(r.backlog.deliveries)} (${fmtMs(r.backlog.answerMs)})`,
      '',
    ],
    ['wall time', fmtMs(r.wallMs), ''],
    [
      'Stripe / NetSuite / Salesforce calls per amendment',
      `${per(r.calls.stripe)} / ${per(r.calls.netsuite)} / ${per(r.calls.salesforce)}`,
      '',
    ],
    ['load average (1 min)', loadavg()[0]?.toFixed(1) ?? '—', ''],
  ]
  console.log(`\n${table(['chaos:scale', 'measured', 'goal'], rows)}\n`)
  for (const e of v.examples) console.log(`  ${e}`)
  const last = watch.last(3)
  if (last.length > 0) console.log('\nThe last work to settle (times from the last fault):')
  for (const { item, afterMs } of last) {
    console.log(
      `${item.kind} ${item.id}: ${afterMs === undefined ? 'never' : `+${fmtMs(afterMs)}`}`,
    )
    for (const line of timeline(vendors, item, watch.lastFault)) console.log(line)
  }
}

await main()
