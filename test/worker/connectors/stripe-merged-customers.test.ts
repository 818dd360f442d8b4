import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { StripeBilling } from '../../../worker/connectors/stripe/index.ts'
import { ConnectorError } from '../../../worker/failure/errors.ts'
import { stripeClientOf } from '../support/connectors.ts'
import { newAccountId } from '../support/helpers.ts'

// Find-before-create on a survivor (issue 13.5): the customers of the Accounts merged into it are
// looked for in the same search as its own, against the Stripe emulator.

function billing(): StripeBilling {
  const client = stripeClientOf(env)
  if (!client) throw new Error('the worker test env has no Stripe settings')
  return new StripeBilling(client)
}

const ctxOf = (accountId: string) => ({
  idempotencyKey: `${accountId}:customer:billing`,
  correlationId: crypto.randomUUID(),
})

/** `ensureCustomer` for `accountId`, and the Stripe calls it made. */
async function ensure(accountId: string, mergedAccountIds: string[]) {
  const spy = vi.spyOn(globalThis, 'fetch')
  try {
    const found = await billing()
      .ensureCustomer(
        { accountId, name: `Survivor ${accountId}`, mergedAccountIds },
        ctxOf(accountId),
      )
      .catch((e: unknown) => e)
    const calls = spy.mock.calls.map(([input, init]) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      return `${init?.method ?? 'GET'} ${url.pathname}`
    })
    return { found, calls }
  } finally {
    spy.mockRestore()
  }
}

const madeFor = async (accountId: string) =>
  (await billing().ensureCustomer({ accountId, name: `Loser ${accountId}` }, ctxOf(accountId)))
    .customerId

describe('StripeBilling.ensureCustomer on a survivor', () => {
  it('takes the one customer of a merged Account, found in one search with its own, and creates none', async () => {
    const survivor = newAccountId()
    const losers = [newAccountId(), newAccountId(), newAccountId()]
    const lost = await madeFor(losers[1]!)

    const { found, calls } = await ensure(survivor, losers)
    expect(found).toEqual({ customerId: lost, match: 'merged' })
    expect(calls).toEqual(['GET /v1/customers/search'])
  })

  it('refuses two merged Accounts’ customers as ambiguous_customer naming both, and prefers its own', async () => {
    const survivor = newAccountId()
    const losers = [newAccountId(), newAccountId()]
    const theirs = [await madeFor(losers[0]!), await madeFor(losers[1]!)]

    const { found, calls } = await ensure(survivor, losers)
    expect(found).toBeInstanceOf(ConnectorError)
    const err = found as ConnectorError
    expect(err).toMatchObject({ kind: 'business', code: 'ambiguous_customer' })
    for (const id of theirs) expect(err.message).toContain(id)
    expect(calls.filter((c) => c.startsWith('POST'))).toEqual([])

    const own = await madeFor(survivor)
    expect((await ensure(survivor, losers)).found).toEqual({ customerId: own, match: 'account' })
  })

  it('looks for eleven merged Accounts in two searches, as Stripe takes at most 10 clauses', async () => {
    const survivor = newAccountId()
    const losers = Array.from({ length: 11 }, () => newAccountId())
    const lost = await madeFor(losers[10]!)

    const { found, calls } = await ensure(survivor, losers)
    expect(found).toEqual({ customerId: lost, match: 'merged' })
    expect(calls).toEqual(['GET /v1/customers/search', 'GET /v1/customers/search'])
  })
})
