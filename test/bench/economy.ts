import type { BenchStack } from './stack.ts'
import {
  countDelta,
  salesforceEffectCounts,
  salesforceRecords,
  salesforceRequests,
  salesforceState,
  writerStatus,
} from './vendors-api.ts'
import { linkedAccounts, paidHistory } from './world.ts'

export interface EconomyOptions {
  accounts: number
  /** Record updates to aim for: invoices + payments + one Account standing per account. */
  updates: number
  /** Give up waiting for Salesforce after this long (the run is then reported incomplete). */
  timeoutMs: number
  log: (line: string) => void
}

export interface EconomyResult {
  accounts: number
  invoices: number
  payments: number
  /** Records the run should leave in Salesforce: every invoice, every payment, every Account's standing. */
  expected: number
  /** Of those, how many are in the Salesforce emulator at the end. */
  written: number
  /** DML writes the emulator applied (its effects: creates, and updates that changed a value). */
  recordWrites: number
  apiCalls: number
  /** The OrgWriter's own count of its calls, a cross-check of `apiCalls`. */
  writerCalls: number
  hintEvents: number
  /** Until every account's documents were handed to its ledger. */
  loadMs: number
  /** Until the last expected record was in Salesforce. */
  elapsedMs: number
  complete: boolean
  parked: number
  /** Requests per Salesforce emulator route meanwhile (token, composite, …), to explain the calls. */
  salesforceRequests: Record<string, number>
}

const RECORD_WRITE = /^(Billing_Invoice__c|Billing_Payment__c|Account)\.(create|update)$/
const HINT = 'event.publish.Concord_Refresh__e'
const sum = (counts: Record<string, number>, match: (kind: string) => boolean) =>
  Object.entries(counts).reduce((n, [k, v]) => (match(k) ? n + v : n), 0)

async function loadAll(
  stack: BenchStack,
  pairs: Array<[string, string]>,
  concurrency: number,
): Promise<void> {
  let next = 0
  const lane = async () => {
    while (next < pairs.length) {
      const [accountId, customerId] = pairs[next++] as [string, string]
      const res = await fetch(`${stack.workerUrl}/__bench/load`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accountId, customerId }),
      })
      if (!res.ok)
        throw new Error(`load ${accountId}: ${res.status} ${(await res.text()).slice(0, 300)}`)
      await res.arrayBuffer()
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
}

async function standingsWritten(stack: BenchStack, accounts: Set<string>): Promise<number> {
  return (await salesforceRecords(stack, 'Account')).filter(
    (a) => accounts.has(String(a.Id)) && a.Concord_As_Of__c,
  ).length
}

/**
 * Part 1. Builds a paid billing history in the Stripe emulator (monthly renewals, each invoice paid
 * by one charge) for `accounts` linked accounts, then has the worker load every account's
 * documents into its ledger (the bench route, as a backfill would) and waits until Salesforce
 * holds every invoice, payment and Account standing and the writer has nothing pending and no
 * refresh hint owed. Counts the Salesforce API calls in between.
 */
export async function runEconomy(stack: BenchStack, opts: EconomyOptions): Promise<EconomyResult> {
  const linked = await linkedAccounts(stack, opts.accounts, 'E')
  const history = await paidHistory(
    stack,
    linked.customers,
    Math.max(opts.accounts, Math.round((opts.updates - opts.accounts) / 2)),
  )
  const expected = history.invoices + history.charges + opts.accounts
  opts.log(
    `billing history: ${history.invoices} invoices and ${history.charges} charges over ${history.months} months; ${expected} records to write`,
  )

  const before = {
    state: await salesforceState(stack),
    effects: await salesforceEffectCounts(stack),
    requests: await salesforceRequests(stack),
    writer: await writerStatus(stack),
  }
  const started = Date.now()
  await loadAll(
    stack,
    linked.accounts.map((a, i) => [a, linked.customers[i] as string]),
    4,
  )
  const loadMs = Date.now() - started
  opts.log(`documents handed to ${opts.accounts} ledgers in ${loadMs} ms; waiting for Salesforce`)

  const accounts = new Set(linked.accounts)
  let written = 0
  let doneAt: number | undefined
  let writer = before.writer
  const deadline = started + opts.timeoutMs
  let lastLog = Date.now()
  while (Date.now() < deadline) {
    const { records } = await salesforceState(stack)
    const docs = (records.Billing_Invoice__c ?? 0) + (records.Billing_Payment__c ?? 0)
    written =
      docs +
      (docs >= history.invoices + history.charges ? await standingsWritten(stack, accounts) : 0)
    if (written >= expected && doneAt === undefined) doneAt = Date.now()
    writer = await writerStatus(stack)
    if (doneAt !== undefined && writer.pending === 0 && writer.hints === 0) break
    if (Date.now() - lastLog > 10_000) {
      opts.log(`  … ${written}/${expected} in Salesforce, writer pending ${writer.pending}`)
      lastLog = Date.now()
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  const after = {
    state: await salesforceState(stack),
    effects: await salesforceEffectCounts(stack),
    requests: await salesforceRequests(stack),
  }
  if (doneAt === undefined) {
    const { records } = after.state
    written =
      (records.Billing_Invoice__c ?? 0) +
      (records.Billing_Payment__c ?? 0) +
      (await standingsWritten(stack, accounts))
  }
  return {
    accounts: opts.accounts,
    invoices: history.invoices,
    payments: history.charges,
    expected,
    written,
    recordWrites:
      sum(after.effects, (k) => RECORD_WRITE.test(k)) -
      sum(before.effects, (k) => RECORD_WRITE.test(k)),
    apiCalls: after.state.apiTotal - before.state.apiTotal,
    writerCalls: writer.calls24h - before.writer.calls24h,
    hintEvents: (after.effects[HINT] ?? 0) - (before.effects[HINT] ?? 0),
    loadMs,
    elapsedMs: (doneAt ?? Date.now()) - started,
    complete: doneAt !== undefined,
    parked: writer.parked.length,
    salesforceRequests: countDelta(before.requests, after.requests),
  }
}
