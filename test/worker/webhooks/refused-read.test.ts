import { describe, expect, it } from 'vitest'
import { drain, ledger, operatorFetch } from '../support/helpers.ts'
import { createAccount } from '../support/vendors.ts'
import { until } from '../../support/poll.ts'
import { deliver, stripeApi } from './support.ts'

interface Item {
  id: string
  kind: string
  category: string
  system: string
  code: string
  ids: { stripe: string[] }
}

async function billingReads(accountId: string): Promise<Item[]> {
  const res = await operatorFetch(`/v1/exceptions?accountId=${accountId}`)
  expect(res.status).toBe(200)
  const body = await res.json<{ items: Item[] }>()
  return body.items.filter((i) => i.kind === 'billing_read')
}

/** A signed `invoice.paid` for an invoice billing does not have, naming a linked customer. */
function eventFor(invoiceId: string, customerId: string) {
  return {
    id: `evt_${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`,
    object: 'event',
    type: 'invoice.paid',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: invoiceId, object: 'invoice', customer: customerId } },
  }
}

describe('a re-read billing refuses for good', () => {
  it('is kept and shown in the work queue as a data fix, not dropped, and the ledger does not spin on it', async () => {
    const account = await createAccount()
    const customer = await stripeApi('POST', '/v1/customers', {
      name: 'Gone Invoice Co',
      'metadata[sf_account_id]': account,
    })
    const invoiceId = `in_gone${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`
    const res = await deliver(eventFor(invoiceId, String(customer.id)))
    expect(res.status).toBe(200)
    await drain(account)

    const items = await until('the refused read in the work queue', async () => {
      await drain(account)
      const found = await billingReads(account)
      return found.length > 0 ? found : undefined
    })
    expect(items).toEqual([
      expect.objectContaining({
        id: `billing_read:invoice:${invoiceId}`,
        category: 'needs_data_fix',
        system: 'stripe',
        code: 'resource_missing',
        ids: expect.objectContaining({ stripe: [invoiceId] }) as unknown,
      }),
    ])
    // Kept out of the reads: nothing is due for it, so the ledger's alarm does not keep firing.
    const state = await ledger(account).pumpState()
    expect(state.dueNow).toBe(false)
  })
})
