import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { signRequest } from '../../worker/lib/signature.ts'
import { asText } from '../emulators/common/text.ts'

/**
 * `npm run demo:amend [accountIndex] [quantity]`: posts one signed `create` amendment (and a
 * seat change after it) for a demo account to the running local stack, exactly as the Apex
 * Queueable would, then polls the three emulators until each shows its side effect.
 */
const local = JSON.parse(readFileSync('.stack/local.json', 'utf8')) as {
  workerUrl: string
  eventsSecret: string
  operatorToken: string
  salesforceUrl: string
  stripeUrl: string
  netsuiteUrl: string
  accounts: Array<{ id: string; name: string }>
}
const account = local.accounts[Number(process.argv[2] ?? 0)] ?? local.accounts[0]
if (!account) throw new Error('no demo account: is `npm start` running?')
const quantity = Number(process.argv[3] ?? 12)
const key = `SUB-DEMO-${randomUUID().slice(0, 6).toUpperCase()}`
const correlation = { 1: randomUUID(), 2: randomUUID() } as const

const event = (sequence: 1 | 2, fields: Record<string, unknown>) => ({
  attributes: { type: 'Subscription_Amendment__e' },
  EventUuid: randomUUID(),
  ReplayId: null,
  CreatedDate: new Date().toISOString(),
  CreatedById: null,
  Account_Id__c: account.id,
  Subscription_Key__c: key,
  Sequence__c: sequence,
  Price_Key__c: null,
  Quantity__c: null,
  Effective_Date__c: null,
  Proration__c: 'create_prorations',
  Cancel_Mode__c: null,
  Correlation_Id__c: correlation[sequence],
  Requested_By__c: null,
  ...fields,
})
const body = JSON.stringify({
  events: [
    event(2, { Action__c: 'change_quantity', Quantity__c: quantity + 3 }),
    event(1, { Action__c: 'create', Price_Key__c: 'pro-monthly-usd', Quantity__c: quantity }),
  ],
})
const signed = await signRequest(local.eventsSecret, {
  method: 'POST',
  target: '/v1/salesforce/events',
  body,
})
console.log(
  `POST ${local.workerUrl}/v1/salesforce/events  (${account.name}, ${key}; sequence 2 sent before 1)`,
)
const res = await fetch(`${local.workerUrl}/v1/salesforce/events`, {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    ...signed,
  },
  body,
})
console.log(res.status, await res.text())

type Effect = { seq: number; kind: string; correlationId?: string }
type Row = Record<string, unknown>
const effects = async (url: string) =>
  ((await (await fetch(`${url}/__control/effects`)).json()) as { effects?: Effect[] }).effects ?? []
const records = async (object: string) => {
  const body = (await (
    await fetch(`${local.salesforceUrl}/__control/salesforce/records/${object}`)
  ).json()) as { records?: Row[] } | Row[]
  return Array.isArray(body) ? body : (body.records ?? [])
}
const kinds = (list: Effect[], sequence: 1 | 2) =>
  list
    .filter((e) => e.correlationId === correlation[sequence])
    .map((e) => e.kind)
    .join(', ') || '—'

for (let i = 0; i < 30; i++) {
  await new Promise((r) => setTimeout(r, 1000))
  const [stripe, netsuite] = await Promise.all([
    effects(local.stripeUrl),
    effects(local.netsuiteUrl),
  ])
  const syncs = (await records('Subscription_Sync__c')).filter((r) => r.Subscription_Key__c === key)
  const status = (sequence: number) =>
    asText(syncs.find((r) => r.Sequence__c === sequence)?.Status__c ?? '—')
  console.log(`t+${i + 1}s`)
  for (const sequence of [1, 2] as const) {
    console.log(
      `  #${sequence}  stripe: ${kinds(stripe, sequence)} | netsuite: ${kinds(netsuite, sequence)} | salesforce: ${status(sequence)}`,
    )
  }
  if (status(1) !== 'applied' || status(2) !== 'applied') continue
  // Order, as the emulators' effect logs saw it: #1's billing effects all came before #2's.
  const last1 = Math.max(
    ...stripe.filter((e) => e.correlationId === correlation[1]).map((e) => e.seq),
  )
  const first2 = Math.min(
    ...stripe.filter((e) => e.correlationId === correlation[2]).map((e) => e.seq),
  )
  console.log(`\nBoth amendments applied, #1 before #2 in Stripe (effect ${last1} < ${first2}).`)
  // What flowed back: Stripe's webhooks became invoices and the standing on the Account.
  for (let j = 0; j < 10; j++) {
    const invoices = (await records('Billing_Invoice__c')).filter(
      (r) => r.Account__c === account.id,
    )
    const acct = (await records('Account')).find((r) => r.Id === account.id)
    if (invoices.length > 0 && acct?.Concord_Standing__c) {
      for (const inv of invoices)
        console.log(
          `  Billing_Invoice__c ${asText(inv.Number__c)}: ${asText(inv.Status__c)}, ${asText(inv.Amount_Paid__c)} of ${asText(inv.Amount_Due__c)} ${asText(inv.Currency_Iso__c)} paid`,
        )
      console.log(
        `  Account ${asText(acct.Name)}: standing ${asText(acct.Concord_Standing__c)}, balance ${asText(acct.Concord_Balance__c)}, last payment ${asText(acct.Concord_Last_Payment_Amount__c)} on ${asText(acct.Concord_Last_Payment_Date__c)}`,
      )
      break
    }
    await new Promise((r) => setTimeout(r, 1000))
  }
  console.log(
    `\nFollow them: curl -H "authorization: Bearer ${local.operatorToken}" ${local.workerUrl}/v1/accounts/${account.id}`,
  )
  process.exit(0)
}
console.error('not applied within 30 s: check the worker log and GET /v1/exceptions')
process.exit(1)
