import { CATALOG } from './plan.ts'
import type { World } from './world.ts'

type Row = Record<string, SqlStorageValue>

const all = (sql: SqlStorage, query: string, ...args: unknown[]): Row[] =>
  sql.exec<Row>(query, ...args).toArray()

const SYNC_OF: Record<string, string[]> = {
  applied: ['applied'],
  parked: ['parked'],
  skipped: ['superseded', 'rejected'],
  waiting: ['received'],
}

/**
 * What must hold once a schedule has settled, judged from the simulated vendors' state and the
 * objects' committed storage: every accepted amendment accounted for, each vendor effect made
 * once and in sequence order, every parked item explained, every outbox drained, and Salesforce's
 * mirrors equal to Stripe. Returns one line per violation.
 */
export function violations(world: World, settled: boolean): string[] {
  const out: string[] = []
  if (!settled) out.push('did not settle: the worker kept working after every fault had cleared')
  if (world.rt.calls.length > 0) out.push(`${world.rt.calls.length} calls still in flight`)
  for (const [account, ledger] of world.ledgers) {
    ledger.get() // a ledger nothing reached still gets its (empty) tables
    checkLedger(world, account, ledger.storage.sql, out)
  }
  checkEffects(world, out)
  checkWriter(world, out)
  checkMirrors(world, out)
  return out
}

function checkLedger(world: World, account: string, sql: SqlStorage, out: string[]): void {
  const rows = all(sql, 'SELECT * FROM amendment')
  const byId = new Map(rows.map((r) => [r.id as string, r]))
  for (const id of world.recorded)
    if (world.plan.amendments.find((a) => a.id === id)?.accountId === account && !byId.has(id))
      out.push(`lost: ${id} was taken by the ledger of ${account} and is not in its journal`)
  for (const r of rows) {
    const tag = `${r.subscription_key as string}#${r.sequence as number} (${r.id as string})`
    if (r.state === 'parked' && (!r.error_code || !r.error_message))
      out.push(`parked without a reason: ${tag}`)
    if (r.state === 'waiting' && !heldBehindParked(rows, r))
      out.push(`still waiting at step ${r.step as string} with nothing holding it: ${tag}`)
    const index = world.registry.exceptions.get(r.id as string)
    if (r.state === 'parked' && (index?.state !== 'parked' || index.code !== r.error_code))
      out.push(
        `parked but the exception index says ${index ? `${index.state}/${index.code}` : 'nothing'}: ${tag}`,
      )
    if (r.state !== 'parked' && index && index.state === 'parked')
      out.push(
        `the exception index still shows ${tag} parked; the ledger has it ${r.state as string}`,
      )
    const sync = world.salesforce.record('Subscription_Sync__c', r.id as string)
    const expected = SYNC_OF[r.state as string] ?? []
    if (!expected.includes(sync?.Status__c as string))
      out.push(
        `Subscription_Sync__c of ${tag} shows ${String(sync?.Status__c)}, the ledger has it ${r.state as string}`,
      )
    else if (r.state === 'parked' && sync?.Error_Code__c !== r.error_code)
      out.push(
        `Subscription_Sync__c of ${tag} shows code ${String(sync?.Error_Code__c)}, the ledger ${r.error_code as string}`,
      )
  }
  for (const table of ['status_outbox', 'index_outbox', 'sf_outbox', 'refresh']) {
    const left = all(sql, `SELECT COUNT(*) AS n FROM ${table}`)[0]?.n as number
    if (left > 0) out.push(`${account}: ${left} rows left in ${table}`)
  }
}

/** A waiting amendment is settled only behind a parked one of its subscription (the parked head holds it). */
function heldBehindParked(rows: Row[], r: Row): boolean {
  return (
    r.step === 'xref' &&
    rows.some(
      (o) =>
        o.subscription_key === r.subscription_key &&
        o.state === 'parked' &&
        (o.sequence as number) < (r.sequence as number),
    )
  )
}

function checkEffects(world: World, out: string[]): void {
  const states = new Map<string, string>()
  for (const ledger of world.ledgers.values())
    for (const r of all(ledger.storage.sql, 'SELECT id, state FROM amendment'))
      states.set(r.id as string, r.state as string)
  const count = new Map<string, number>()
  for (const e of world.effects) {
    const key = `${e.system}:${e.what}:${e.amendmentId ?? e.accountId}`
    count.set(key, (count.get(key) ?? 0) + 1)
  }
  for (const [key, n] of count) if (n > 1) out.push(`duplicate effect: ${key} made ${n} times`)
  for (const [id, state] of states)
    if (state === 'applied')
      for (const system of ['stripe', 'netsuite'])
        if (!count.has(`${system}:amendment:${id}`))
          out.push(`applied without its ${system} effect: ${id}`)
  const last = new Map<string, { sequence: number; system: string }>()
  for (const e of world.effects) {
    if (e.what !== 'amendment') continue
    const key = `${e.accountId}/${e.subscriptionKey as string}`
    const prev = last.get(key)
    const seq = e.sequence as number
    if (
      prev &&
      (seq < prev.sequence ||
        (seq === prev.sequence && e.system === 'stripe' && prev.system === 'netsuite'))
    )
      out.push(`out of order: ${e.system} #${seq} of ${key} after ${prev.system} #${prev.sequence}`)
    last.set(key, { sequence: seq, system: e.system })
  }
}

function checkWriter(world: World, out: string[]): void {
  const sql = world.writer.storage.sql
  if (!world.writer.started && world.salesforce.calls === 0) return
  const pending = all(sql, 'SELECT COUNT(*) AS n FROM pending')[0]?.n as number
  if (pending > 0) out.push(`OrgWriter: ${pending} records still pending`)
  for (const p of all(sql, 'SELECT * FROM parked'))
    out.push(
      `OrgWriter parked ${p.object as string} ${p.external_id as string}: ${p.code as string} ${p.message as string}`,
    )
}

const priceKeyOf = (priceId: string | undefined) =>
  Object.entries(CATALOG.prices).find(([, p]) => p.billingPriceId === priceId)?.[0] ?? priceId

function checkMirrors(world: World, out: string[]): void {
  for (const sub of world.stripe.subscriptions.values()) {
    const read = world.stripe.read(sub.id)
    const key = read.subscriptionKey as string
    const ledger = world.ledgers.get(sub.metadata.sf_account_id as string)
    const applied = ledger
      ? (all(
          ledger.storage.sql,
          'SELECT applied_sequence AS n FROM subscription WHERE key = ?',
          key,
        )[0]?.n as number)
      : 0
    const mirror = world.salesforce.record('Billing_Subscription__c', key)
    const want: Record<string, unknown> = {
      External_Id__c: read.id,
      Status__c: read.status,
      Quantity__c: read.quantity,
      Price_Key__c: priceKeyOf(read.priceId),
      Current_Period_End__c: read.currentPeriodEnd,
      Applied_Sequence__c: applied > 0 ? applied : undefined,
    }
    for (const [field, value] of Object.entries(want))
      if (mirror?.[field] !== value)
        out.push(
          `mirror ${key}.${field} is ${JSON.stringify(mirror?.[field])}, Stripe/ledger say ${JSON.stringify(value)}`,
        )
  }
}
