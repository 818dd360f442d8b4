import { describe, expect, it } from 'vitest'
import { netsuiteControl, netsuiteParts } from './netsuite-support.ts'
import { customerExternalId } from '../../../worker/connectors/netsuite/external-ids.ts'
import { newAccountId } from '../support/helpers.ts'

// Find-before-create on a survivor (issue 13.5): the customer of an Account merged into it is
// found by that Account's external id, against the NetSuite emulator.

const erp = () => netsuiteParts('merged-customers', { writeAddress: false }).erp

const profile = (accountId: string, mergedAccountIds?: string[]) => ({
  accountId,
  name: `Merged Co ${accountId}`,
  currency: 'GBP',
  legalEntity: 'UK-LTD',
  billingCustomerId: 'cus_MERGED1',
  ...(mergedAccountIds ? { mergedAccountIds } : {}),
})

const ctxOf = (accountId: string) => ({
  idempotencyKey: `${accountId}:customer:erp`,
  correlationId: `corr-${accountId}`,
})

const made = async (accountId: string) =>
  (await erp().ensureCustomer(profile(accountId), ctxOf(accountId))).customerId

async function effectsOn(accountId: string): Promise<string[]> {
  const { effects } = await netsuiteControl<{ effects: Array<{ kind: string; target: string }> }>(
    'effects',
  )
  const target = `customer:${customerExternalId(accountId)}`
  return effects.filter((e) => e.target === target).map((e) => e.kind)
}

describe('NetSuite ensureCustomer on a survivor', () => {
  it('takes the one customer of a merged Account as it is, and makes none of its own', async () => {
    const survivor = newAccountId()
    const losers = [newAccountId(), newAccountId()]
    const lost = await made(losers[1]!)

    const found = await erp().ensureCustomer(profile(survivor, losers), ctxOf(survivor))
    expect(found).toEqual({ customerId: lost, match: 'merged', subsidiaryId: expect.any(String) })
    expect(await effectsOn(survivor)).toEqual([])
    // It keeps the merged Account's external id, as a customer the merge handed over does.
    expect(await effectsOn(losers[1]!)).toEqual(['customer.upsert.create'])
  })

  it('refuses two merged Accounts’ customers as ambiguous_customer naming both, and prefers its own', async () => {
    const survivor = newAccountId()
    const losers = [newAccountId(), newAccountId()]
    const theirs = [await made(losers[0]!), await made(losers[1]!)]

    const err = await erp()
      .ensureCustomer(profile(survivor, losers), ctxOf(survivor))
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'business', code: 'ambiguous_customer' })
    for (const id of theirs) expect((err as Error).message).toContain(id)
    expect(await effectsOn(survivor)).toEqual([])

    const own = await made(survivor)
    const again = await erp().ensureCustomer(profile(survivor, losers), ctxOf(survivor))
    expect(again).toMatchObject({ customerId: own, match: 'account' })
  })
})
