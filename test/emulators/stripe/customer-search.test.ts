import { describe, expect, it } from 'vitest'
import { useStripeSdk, refusal } from './sdk-support.ts'

// Customer search as find-before-create uses it (issue 13.5), driven with the official `stripe`
// SDK: `email:'…'` and `metadata['key']:'…'` clauses, the `search_result` shape, and a refusal of
// what the query language does not parse. https://docs.stripe.com/search#query-fields-for-customers

const sdk = useStripeSdk()

describe('Stripe emulator: customer search', () => {
  it('finds customers by email and by metadata, newest first, in the search_result shape', async () => {
    const email = 'ap@twins.example'
    const older = await sdk.stripe.customers.create({ name: 'Twin', email })
    const newer = await sdk.stripe.customers.create({
      name: 'Twin (new)',
      email,
      metadata: { sf_account_id: '001000000000002AAA' },
    })
    await sdk.stripe.customers.create({ name: 'Other', email: 'someone@else.example' })

    const byEmail = await sdk.stripe.customers.search({ query: `email:'${email}'` })
    expect(byEmail.object).toBe('search_result')
    expect(byEmail.data.map((c) => c.id).sort()).toEqual([older.id, newer.id].sort())
    const claimed = await sdk.stripe.customers.search({
      query: `email:'${email}' AND metadata['sf_account_id']:'001000000000002AAA'`,
    })
    expect(claimed.data.map((c) => c.id)).toEqual([newer.id])
    const none = await sdk.stripe.customers.search({ query: "email:'nobody@none.example'" })
    expect(none).toMatchObject({ data: [], has_more: false })
  })

  it('refuses a query the search language cannot parse, naming the query parameter', async () => {
    const err = await refusal(sdk.stripe.customers.search({ query: 'email=ap@twins.example' }))
    expect(err).toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      param: 'query',
    })
  })
})
