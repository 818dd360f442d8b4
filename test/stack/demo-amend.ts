import { createHmac, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'

/**
 * `npm run demo:amend [accountIndex] [quantity]`: posts one signed `create` amendment (and a
 * seat change after it) for a demo account to the running local stack, exactly as the Apex
 * Queueable would, then polls the three emulators until each shows its side effect.
 */
const local = JSON.parse(readFileSync('.stack/local.json', 'utf8')) as {
  workerUrl: string; eventsSecret: string; operatorToken: string; salesforceUrl: string; stripeUrl: string; netsuiteUrl: string
  accounts: Array<{ id: string; name: string }>
}
const account = local.accounts[Number(process.argv[2] ?? 0)] ?? local.accounts[0]
if (!account) throw new Error('no demo account: is `npm start` running?')
const quantity = Number(process.argv[3] ?? 12)
const key = `SUB-DEMO-${randomUUID().slice(0, 6).toUpperCase()}`
const correlationId = randomUUID()

const event = (sequence: number, fields: Record<string, unknown>) => ({
  attributes: { type: 'Subscription_Amendment__e' },
  EventUuid: randomUUID(), ReplayId: null, CreatedDate: new Date().toISOString(), CreatedById: null,
  Account_Id__c: account.id, Subscription_Key__c: key, Sequence__c: sequence, Price_Key__c: null, Quantity__c: null,
  Effective_Date__c: null, Proration__c: 'create_prorations', Cancel_Mode__c: null,
  Correlation_Id__c: sequence === 1 ? correlationId : randomUUID(), Requested_By__c: null, ...fields,
})
const body = JSON.stringify({
  events: [
    event(2, { Action__c: 'change_quantity', Quantity__c: quantity + 3 }),
    event(1, { Action__c: 'create', Price_Key__c: 'pro-monthly-usd', Quantity__c: quantity }),
  ],
})
const ts = String(Math.floor(Date.now() / 1000))
const signature = createHmac('sha256', local.eventsSecret).update(`${ts}.${body}`).digest('hex')
console.log(`POST ${local.workerUrl}/v1/salesforce/events  (${account.name}, ${key}; sequence 2 sent before 1)`)
const res = await fetch(`${local.workerUrl}/v1/salesforce/events`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-concord-timestamp': ts, 'x-concord-signature': `v1=${signature}` },
  body,
})
console.log(res.status, await res.text())

const json = async (url: string) => (await fetch(url)).json() as Promise<{ effects?: Array<{ kind: string; target: string; correlationId?: string }> }>
for (let i = 0; i < 30; i++) {
  await new Promise((r) => setTimeout(r, 1000))
  const stripe = (await json(`${local.stripeUrl}/__control/effects`)).effects?.filter((e) => e.correlationId === correlationId) ?? []
  const netsuite = (await json(`${local.netsuiteUrl}/__control/effects`)).effects?.filter((e) => e.correlationId === correlationId) ?? []
  const syncs = (await (await fetch(`${local.salesforceUrl}/__control/salesforce/records/Subscription_Sync__c`)).json()) as { records?: Array<Record<string, unknown>> } | Array<Record<string, unknown>>
  const rows = (Array.isArray(syncs) ? syncs : (syncs.records ?? [])).filter((r) => r.Subscription_Key__c === key)
  console.log(`t+${i + 1}s stripe: ${stripe.map((e) => e.kind).join(', ') || '—'} | netsuite: ${netsuite.map((e) => e.kind).join(', ') || '—'} | salesforce: ${rows.map((r) => `#${r.Sequence__c} ${r.Status__c}`).join(', ') || '—'}`)
  if (rows.length === 2 && rows.every((r) => r.Status__c === 'applied')) {
    console.log(`\nBoth amendments applied in order. Follow them: curl -H "authorization: Bearer ${local.operatorToken}" ${local.workerUrl}/v1/accounts/${account.id}`)
    process.exit(0)
  }
}
console.error('not applied within 30 s: check the worker log and GET /v1/exceptions')
process.exit(1)
