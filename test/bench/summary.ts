import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import type { EconomyResult } from './economy.ts'
import { LATENCY_EVENTS, type LatencyResult } from './latency.ts'
import { fmtInt, fmtMs, fmtNum, per1000, table } from './report.ts'

export const ECONOMY_TARGET_CALLS = 15

export interface VariantResult {
  name: 'concord' | 'baseline'
  label: string
  vars: Record<string, string>
  economy: EconomyResult
  latency: LatencyResult
  warnings: string[]
}

export interface RunInfo {
  startedAt: Date
  worker: { source: string; commit: string; uncommittedWorkerChanges?: number }
  config: {
    quick: boolean
    accounts: number
    updates: number
    samples: number
    ratePerS: number
    pollMs: number
  }
}

/** Issue 4's target is for 10,000 updates across 200 accounts; undefined for other sizes. */
const targetMet = (info: RunInfo, results: VariantResult[]) => {
  const concord = results.find((r) => r.name === 'concord')
  if (!concord || info.config.updates !== 10_000 || info.config.accounts !== 200) return undefined
  return concord.economy.complete && concord.economy.apiCalls <= ECONOMY_TARGET_CALLS
}

function economyTable(results: VariantResult[]): string {
  return table(
    ['', 'updates written', 'SF API calls', 'calls / 1,000 updates', 'hint events', 'time'],
    results.map(({ label, economy: e }) => [
      label,
      e.complete ? fmtInt(e.written) : `${fmtInt(e.written)} of ${fmtInt(e.expected)} (timed out)`,
      fmtInt(e.apiCalls),
      fmtNum(per1000(e.apiCalls, e.written)),
      fmtInt(e.hintEvents),
      fmtMs(e.elapsedMs),
    ]),
  )
}

function latencyTable(results: VariantResult[]): string {
  return table(
    ['', 'samples', 'p50', 'p99', 'max', 'SF API calls', 'record writes', 'calls / 1,000 updates'],
    results.map(({ label, latency: l }) => [
      label,
      `${l.measured}/${l.samples}`,
      fmtMs(l.p50Ms),
      fmtMs(l.p99Ms),
      fmtMs(l.maxMs),
      fmtInt(l.apiCalls),
      fmtInt(l.recordWrites),
      fmtNum(per1000(l.apiCalls, l.recordWrites)),
    ]),
  )
}

/** The human-readable report: both parts, what was driven and how it was measured. */
export function printSummary(info: RunInfo, results: VariantResult[]): void {
  const e = results[0]?.economy
  const l = results[0]?.latency
  const concord = results.find((r) => r.name === 'concord')
  const met = targetMet(info, results)
  const lines = [
    '',
    `Concord write-back benchmark, ${info.startedAt.toISOString()}`,
    `worker: ${info.worker.source} (${info.worker.commit}), bundled once, served by wrangler dev (Durable Objects in local SQLite)`,
    `stack: Salesforce, Stripe and NetSuite emulators in this process, wrangler dev beside it, loopback only; ${availableParallelism()} CPUs`,
    '',
    `(1) Economy: ${e ? `${fmtInt(e.expected)} record updates across ${e.accounts} accounts (${fmtInt(e.invoices)} invoices, ${fmtInt(e.payments)} payments, ${e.accounts} Account standings), refresh hints included` : 'not run'}`,
    '    Driven: a paid billing history made in the Stripe emulator (monthly renewals, each invoice paid by one',
    "    charge). The worker reads each account's invoices and payments from Stripe and merges them into its",
    '    AccountLedger (bench route POST /__bench/load: the backfill path, not webhooks); the ledgers hand the',
    '    records and each recomputed standing to the OrgWriter, which writes them to Salesforce.',
    economyTable(results),
    '    Baseline: the same worker with WRITER_BATCH_SIZE=1 and WRITER_FLUSH_MS=10, so it writes as soon as a',
    '    record is due; a flush takes up to two due records, so in a burst two share a call.',
    ...(concord && met !== undefined
      ? [
          `    Target (issue 4): Concord within ${ECONOMY_TARGET_CALLS} API calls (floor about 11): ${met ? 'met' : 'NOT met'}, ${concord.economy.apiCalls} calls.`,
        ]
      : [
          '    (Issue 4 sets its target, at most 15 calls, for 10,000 updates across 200 accounts.)',
        ]),
    '',
    `(2) Latency: ${l ? `${l.samples} invoices paid at ${info.config.ratePerS}/s across ${l.accounts} accounts` : 'not run'}. A sample runs from the Stripe`,
    "    emulator sending the invoice's invoice.paid webhook (time from its delivery log) to its Billing_Invoice__c",
    '    showing Status__c = paid in the Salesforce emulator, read with GET /__control/salesforce/records/',
    `    Billing_Invoice__c every ${info.config.pollMs} ms${l ? ` (a poll takes ${l.pollRoundTripMs} ms on average)` : ''}: each figure is late by up to one poll.`,
    latencyTable(results),
    '',
  ]
  console.log(lines.join('\n'))
  const warnings = results.flatMap((r) => r.warnings.map((w) => `${r.name}: ${w}`))
  if (warnings.length)
    console.log(
      `wrangler printed ${warnings.length} line(s) worth a look:\n${warnings
        .slice(0, 5)
        .map((w) => `  ${w.slice(0, 300)}`)
        .join('\n')}\n`,
    )
}

/** Writes the figures as JSON to test/bench/results/ (ignored by git: they describe one machine). */
export function writeResults(info: RunInfo, results: VariantResult[]): string {
  const dir = join('test', 'bench', 'results')
  const file = join(
    dir,
    `writeback-${info.startedAt.toISOString().slice(0, 10)}${info.config.quick ? '-quick' : ''}.json`,
  )
  mkdirSync(dir, { recursive: true })
  const body = {
    date: info.startedAt.toISOString(),
    durationS: Math.round((Date.now() - info.startedAt.getTime()) / 1000),
    machine: { cpus: availableParallelism(), node: process.version },
    worker: info.worker,
    config: { ...info.config, latencyEvents: LATENCY_EVENTS },
    economyTarget: { maxCalls: ECONOMY_TARGET_CALLS, met: targetMet(info, results) },
    variants: results.map((r) => ({
      ...r,
      economy: { ...r.economy, callsPer1000: per1000(r.economy.apiCalls, r.economy.written) },
      latency: { ...r.latency, callsPer1000: per1000(r.latency.apiCalls, r.latency.recordWrites) },
    })),
  }
  writeFileSync(file, JSON.stringify(body, null, 2) + '\n')
  return file
}
