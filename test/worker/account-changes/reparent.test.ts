import { describe, expect, it } from 'vitest'
import { netsuiteParts } from '../connectors/netsuite-support.ts'
import { amendmentEvent, drain, ledger, postEvents } from '../support/helpers.ts'
import { createAccount, emulatorControl, setFaults, vendors } from '../support/vendors.ts'
import { netsuiteRecord, postAccountChanges, workItems } from './support.ts'

async function salesOrder(erpRef: string | undefined): Promise<Record<string, unknown>> {
  const id = String(erpRef).split(':')[1]
  const res = await netsuiteParts('reparent').client.send({
    method: 'GET',
    path: `/services/rest/record/v1/salesOrder/${id}`,
    what: 'a test read',
  })
  return res.json as Record<string, unknown>
}

describe('Account re-parenting', { timeout: 30_000 }, () => {
  it('flags a subscription whose create is still on its way to billing: it will be ordered under the old customer', async () => {
    const account = await createAccount({ Concord_Legal_Entity__c: 'US-INC' })
    const first = `SUB-FIRST-${crypto.randomUUID().slice(0, 6)}`
    await postEvents([amendmentEvent({ Account_Id__c: account, Subscription_Key__c: first })])
    await drain(account)
    // The account has its ERP customer; a second subscription's create waits on Stripe.
    const pending = `SUB-PENDING-${crypto.randomUUID().slice(0, 6)}`
    const create = amendmentEvent({ Account_Id__c: account, Subscription_Key__c: pending })
    await setFaults(vendors().stripeUrl, [
      { route: 'POST /v1/subscriptions', count: 50, status: 503 },
    ])
    try {
      await postEvents([create])
      await drain(account, 1)
      const waiting = await ledger(account).amendment(String(create.EventUuid))
      expect(waiting).toMatchObject({ state: 'waiting', step: 'billing' })

      const answer = await postAccountChanges([
        {
          id: `le:${account}:pending`,
          type: 'account.legal_entity_changed',
          accountId: account,
          legalEntity: 'UK-LTD',
        },
      ])
      const { results } = await answer.json<{ results: Array<{ flagged: string[] }> }>()
      expect(results[0]?.flagged.sort()).toEqual([first, pending].sort())
    } finally {
      await setFaults(vendors().stripeUrl, [])
    }
    // The reviews reach the work queue through the ledger's index outbox, on its next run.
    await drain(account)
    const reviews = (await workItems(account)).filter((i) => i.kind === 'account_review')
    expect(reviews.map((r) => r.message).join(' ')).toContain(pending)
  })

  it('routes new work to the new subsidiary and flags open subscriptions for review instead of moving them', async () => {
    const account = await createAccount({ Concord_Legal_Entity__c: 'US-INC' })
    const open = `SUB-OPEN-${crypto.randomUUID().slice(0, 6)}`
    await postEvents([amendmentEvent({ Account_Id__c: account, Subscription_Key__c: open })])
    await drain(account)
    const before = (await ledger(account).summary())?.xref.erpCustomerId
    expect(before).toMatch(/^\d+$/)

    await emulatorControl(vendors().salesforceUrl, 'salesforce/put', {
      object: 'Account',
      externalIdField: 'Id',
      records: [{ Id: account, Concord_Legal_Entity__c: 'UK-LTD' }],
    })
    const change = {
      id: `le:${account}:1`,
      type: 'account.legal_entity_changed',
      accountId: account,
      legalEntity: 'UK-LTD',
    }
    const answer = await postAccountChanges([change])
    expect(await answer.json()).toMatchObject({ results: [{ status: 'queued', flagged: [open] }] })
    const again = await postAccountChanges([change])
    expect(await again.json()).toMatchObject({ results: [{ status: 'duplicate' }] })
    await drain(account)
    const review = (await workItems(account)).find((i) => i.kind === 'account_review')
    expect(review).toMatchObject({ category: 'needs_data_fix', code: 'legal_entity_changed' })
    expect(review?.message).toContain(open)

    const later = amendmentEvent({
      Account_Id__c: account,
      Subscription_Key__c: open,
      Sequence__c: 2,
      Action__c: 'change_quantity',
      Price_Key__c: null,
      Quantity__c: 12,
    })
    const fresh = amendmentEvent({
      Account_Id__c: account,
      Subscription_Key__c: `SUB-NEW-${crypto.randomUUID().slice(0, 6)}`,
    })
    await postEvents([later, fresh])
    await drain(account)

    const after = (await ledger(account).summary())?.xref.erpCustomerId
    expect(after).toMatch(/^\d+$/)
    expect(after).not.toBe(before)
    expect(await netsuiteRecord(String(after))).toMatchObject({
      externalId: `${account}-S2`,
      subsidiary: { id: '2' },
    })
    const openOrder = await ledger(account).amendment(String(later.EventUuid))
    const freshOrder = await ledger(account).amendment(String(fresh.EventUuid))
    expect(openOrder?.state).toBe('applied')
    expect(freshOrder?.state).toBe('applied')
    expect(await salesOrder(openOrder?.erpRef)).toMatchObject({
      entity: { id: before },
      subsidiary: { id: '1' },
    })
    expect(await salesOrder(freshOrder?.erpRef)).toMatchObject({
      entity: { id: after },
      subsidiary: { id: '2' },
    })
  })

  it('finds the customer the Account already has in a subsidiary when it changes back (A → B → A), and names each new one by its subsidiary (A → B → C)', async () => {
    const account = await createAccount({ Concord_Legal_Entity__c: 'US-INC' })
    const create = () =>
      amendmentEvent({
        Account_Id__c: account,
        Subscription_Key__c: `SUB-RP-${crypto.randomUUID().slice(0, 6)}`,
      })
    const changeTo = async (k: number, legalEntity: string) => {
      const res = await postAccountChanges([
        {
          id: `le:${account}:${k}`,
          type: 'account.legal_entity_changed',
          accountId: account,
          legalEntity,
        },
      ])
      expect(res.status).toBe(200)
    }
    const customerNow = async () => {
      await postEvents([create()])
      await drain(account)
      return String((await ledger(account).summary())?.xref.erpCustomerId)
    }
    const home = await customerNow()
    await changeTo(1, 'UK-LTD')
    const uk = await customerNow()
    await changeTo(2, 'US-INC')
    expect(await customerNow(), 'the US customer again, not a second one').toBe(home)
    // Two changes with no work between: the customer made is named for the last one.
    await changeTo(3, 'UK-LTD')
    await changeTo(4, 'EU-GMBH')
    const eu = await customerNow()
    expect(new Set([home, uk, eu]).size).toBe(3)
    expect(await netsuiteRecord(eu)).toMatchObject({
      externalId: `${account}-S3`,
      subsidiary: { id: '3' },
    })
    await changeTo(5, 'UK-LTD')
    expect(await customerNow(), 'the UK customer again').toBe(uk)
    expect(await netsuiteRecord(uk)).toMatchObject({
      externalId: `${account}-S2`,
      subsidiary: { id: '2' },
    })
  })
})
