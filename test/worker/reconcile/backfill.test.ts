import { env } from 'cloudflare:workers'
import { runDurableObjectAlarm } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { drain, ledger, operatorFetch } from '../support/helpers.ts'
import { createAccount, salesforceRecords } from '../support/vendors.ts'
import { drainWriter, stripeApi, stripeControl } from '../webhooks/support.ts'
import { until } from '../../support/poll.ts'

/** An account whose Stripe customer already has invoices that Salesforce has never seen. */
async function accountWithHistory(invoices: number) {
  const account = await createAccount()
  const customer = await stripeApi('POST', '/v1/customers', {
    name: 'History Co',
    'metadata[sf_account_id]': account,
  })
  const ids: string[] = []
  for (let i = 0; i < invoices; i++) {
    const sub = await stripeApi('POST', '/v1/subscriptions', {
      customer: String(customer.id),
      'items[0][price]': 'price_team_monthly_usd',
      'items[0][quantity]': String(i + 1),
      collection_method: 'send_invoice',
      days_until_due: '15',
    })
    const id = String(sub.latest_invoice)
    if ((await stripeApi('GET', `/v1/invoices/${id}`)).status === 'draft')
      await stripeControl('finalize_invoice', { invoice: id })
    if (i % 2 === 0) await stripeControl('pay_invoice', { invoice: id })
    ids.push(id)
  }
  return { account, customerId: String(customer.id), invoiceIds: ids }
}

async function runBackfill() {
  const stub = env.BACKFILL.getByName('global')
  return until(
    'the backfill to finish',
    async () => {
      const status = await stub.status()
      if (status.state === 'done' || status.state === 'failed') return status
      await runDurableObjectAlarm(stub)
      return undefined
    },
    { intervalMs: 20, describe: () => stub.status() },
  )
}

describe('backfill', () => {
  it('loads one account’s existing invoices and payments into Salesforce and reports progress', async () => {
    const { account, customerId, invoiceIds } = await accountWithHistory(3)
    const unlinked = await operatorFetch('/v1/backfill', {
      method: 'POST',
      body: JSON.stringify({ accountId: account }),
    })
    expect(unlinked.status).toBe(400)
    // Concord links a customer when it creates it or routes its first webhook; here, by hand.
    await env.OPS_REGISTRY.getByName('global').rememberCustomer(customerId, account)

    const one = await operatorFetch('/v1/backfill', {
      method: 'POST',
      body: JSON.stringify({ accountId: account }),
    })
    expect(one.status).toBe(202)
    const status = await runBackfill()
    expect(status).toMatchObject({
      state: 'done',
      scope: account,
      done: 1,
      total: 1,
      invoices: 3,
      payments: 2,
      counting: false,
    })

    await drain(account, 500)
    await drainWriter()
    const rows = (await salesforceRecords('Billing_Invoice__c')).filter((r) =>
      invoiceIds.includes(String(r.External_Id__c)),
    )
    expect(rows.map((r) => r.Status__c).sort()).toEqual(['open', 'paid', 'paid'])
    const payments = (await salesforceRecords('Billing_Payment__c')).filter(
      (r) => r.Account__c === account,
    )
    expect(payments).toHaveLength(2)
    expect((await ledger(account).financialStanding())?.exposures[0]?.openBalance).toBe(2 * 2000)
  }, 120_000)

  it('walks every mapped customer, page by page, and counts progress', async () => {
    const a = await accountWithHistory(1)
    const b = await accountWithHistory(2)
    expect((await operatorFetch('/v1/backfill', { method: 'POST', body: '{}' })).status).toBe(202)
    const status = await runBackfill()
    expect(status).toMatchObject({ state: 'done', scope: 'all', counting: false })
    expect(status.done).toBe(status.total)
    expect(status.total).toBeGreaterThanOrEqual(2)
    await drain(a.account, 500)
    await drain(b.account, 500)
    await drainWriter()
    const mine = (await salesforceRecords('Billing_Invoice__c')).filter((r) =>
      [...a.invoiceIds, ...b.invoiceIds].includes(String(r.External_Id__c)),
    )
    expect(mine).toHaveLength(3)
    const progress = await (
      await operatorFetch('/v1/backfill')
    ).json<{
      state: string
      done: number
      total: number
    }>()
    expect(progress).toMatchObject({ state: 'done', done: status.total, total: status.total })
  }, 120_000)
})
