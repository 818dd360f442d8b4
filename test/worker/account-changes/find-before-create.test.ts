import { describe, expect, it } from 'vitest'
import { amendmentEvent, drain, ledger, postEvents } from '../support/helpers.ts'
import { createAccount, netsuiteEffects, stripeEffects } from '../support/vendors.ts'
import {
  linkCustomer,
  netsuiteCustomer,
  netsuiteRecord,
  stripeCustomer,
  stripeGet,
  workItems,
} from './support.ts'
import { requestAndApprove } from '../support/approvals.ts'

const unique = () => crypto.randomUUID().slice(0, 8)

/** A governed retry of a parked amendment, asked by an operator and approved by another person. */
async function retryApproved(amendmentId: string) {
  const approval = await requestAndApprove('/v1/actions', {
    body: JSON.stringify({ kind: 'retry', amendmentId, reason: 'customer chosen' }),
  })
  expect(approval.request.state).toBe('executed')
}

async function createSubscription(accountId: string) {
  const event = amendmentEvent({ Account_Id__c: accountId, Sequence__c: 1 })
  expect((await postEvents([event])).status).toBe(200)
  await drain(accountId)
  return event
}

describe('find before create', { timeout: 30_000 }, () => {
  it('links the Stripe customer with the Account’s email and the NetSuite customer of its name instead of creating either', async () => {
    const name = `Linked Co ${unique()}`
    const email = `billing-${unique()}@linked.example`
    const stripeId = await stripeCustomer({ name, email })
    const netsuiteId = await netsuiteCustomer(name)
    const account = await createAccount({ Name: name, Concord_Billing_Email__c: email })

    const event = await createSubscription(account)

    const summary = await ledger(account).summary()
    expect(summary?.counts).toEqual({ applied: 1 })
    expect(summary?.xref).toMatchObject({ billingCustomerId: stripeId, erpCustomerId: netsuiteId })
    const correlationId = event.Correlation_Id__c as string
    const stripe = (await stripeEffects()).filter((e) => e.correlationId === correlationId)
    expect(stripe.map((e) => e.kind)).not.toContain('customer.create')
    const linked = await stripeGet<{ metadata: Record<string, string> }>(
      `/v1/customers/${stripeId}`,
    )
    expect(linked.metadata.sf_account_id).toBe(account)
    const erp = (await netsuiteEffects()).filter(
      (e) => e.correlationId === correlationId && e.kind.startsWith('customer.'),
    )
    expect(erp.map((e) => e.kind)).not.toContain('customer.upsert.create')
    expect(await netsuiteRecord(netsuiteId)).toMatchObject({ externalId: account })
  })

  it('creates both customers when nothing matches, and finds them by account the next time', async () => {
    const account = await createAccount({
      Concord_Billing_Email__c: `new-${unique()}@none.example`,
    })
    await createSubscription(account)
    const first = (await ledger(account).summary())?.xref
    expect(first?.billingCustomerId).toMatch(/^cus_/)
    expect(first?.erpCustomerId).toMatch(/^\d+$/)
    const customer = await stripeGet<{ email: string }>(`/v1/customers/${first?.billingCustomerId}`)
    expect(customer.email).toMatch(/@none\.example$/)
  })

  it('parks on two candidates as ambiguous_customer naming both, and an operator’s link in each system resolves it', async () => {
    const name = `Twin Co ${unique()}`
    const email = `ap-${unique()}@twins.example`
    const stripeA = await stripeCustomer({ name, email })
    const stripeB = await stripeCustomer({ name: `${name} (old)`, email })
    const nsA = await netsuiteCustomer(name)
    const nsB = await netsuiteCustomer(name)
    const account = await createAccount({ Name: name, Concord_Billing_Email__c: email })

    const event = await createSubscription(account)
    const id = event.EventUuid as string
    let detail = await ledger(account).amendment(id)
    expect(detail).toMatchObject({ state: 'parked', errorCode: 'ambiguous_customer' })
    expect(detail?.errorMessage).toContain(stripeA)
    expect(detail?.errorMessage).toContain(stripeB)
    const item = (await workItems(account)).find((i) => i.amendmentId === id)
    // Waits for a person: a create still ahead moves money, so the queue says needs_approval.
    expect(item).toMatchObject({ code: 'ambiguous_customer', category: 'needs_approval' })

    // The link never runs a money-moving retry itself: a second person approves it.
    const stripeLink = await linkCustomer(account, 'stripe', stripeB)
    expect(stripeLink.status).toBe(200)
    expect(await stripeLink.json()).toMatchObject({ retried: [], awaitingApproval: [id] })
    await drain(account)
    expect(await ledger(account).amendment(id)).toMatchObject({ state: 'parked' })
    await retryApproved(id)
    await drain(account)
    detail = await ledger(account).amendment(id)
    expect(detail).toMatchObject({ state: 'parked', errorCode: 'ambiguous_customer' })
    expect(detail?.errorMessage).toContain(nsA)
    expect(detail?.errorMessage).toContain(nsB)

    expect((await linkCustomer(account, 'netsuite', nsA)).status).toBe(200)
    await retryApproved(id)
    await drain(account)
    expect(await ledger(account).amendment(id)).toMatchObject({ state: 'applied' })
    expect((await ledger(account).summary())?.xref).toMatchObject({
      billingCustomerId: stripeB,
      erpCustomerId: nsA,
    })
    const chosen = await stripeGet<{ metadata: Record<string, string> }>(`/v1/customers/${stripeB}`)
    expect(chosen.metadata.sf_account_id).toBe(account)
    expect((await workItems(account)).filter((i) => i.amendmentId === id)).toEqual([])
    // The link is made: choosing again is refused rather than moving the account's customer.
    expect((await linkCustomer(account, 'stripe', stripeA)).status).toBe(409)
  })
})
