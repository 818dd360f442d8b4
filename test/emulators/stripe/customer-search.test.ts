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

  it('joins clauses by OR, by AND or by whitespace, keywords in any case, and undoes escapes', async () => {
    const ids = ['001000000000011AAA', '001000000000012AAA', '001000000000013AAA']
    const made = []
    for (const id of ids)
      made.push(
        await sdk.stripe.customers.create({
          name: "O'Brien & Sons",
          email: `ap-${id}@or.example`,
          metadata: { sf_account_id: id },
        }),
      )
    const [first, second, third] = made.map((c) => c.id)
    const key = (id: string) => `metadata['sf_account_id']:'${id}'`
    const either = await sdk.stripe.customers.search({
      query: `${key(ids[0]!)} OR ${key(ids[2]!)} or ${key('001000000000099AAA')}`,
    })
    expect(either.data.map((c) => c.id).sort()).toEqual([first, third].sort())
    const both = await sdk.stripe.customers.search({
      query: `${key(ids[1]!)}  email:"ap-${ids[1]!}@or.example" and name:'O\\'Brien & Sons'`,
    })
    expect(both.data.map((c) => c.id)).toEqual([second])
    const kept = await sdk.stripe.customers.search({
      query: `email:'ap-${ids[0]!}@or.example' -${key(ids[1]!)}`,
    })
    expect(kept.data.map((c) => c.id)).toEqual([first])
    const negated = await sdk.stripe.customers.search({
      query: `email:'ap-${ids[0]!}@or.example' AND -${key(ids[0]!)}`,
    })
    expect(negated.data).toEqual([])
  })

  it('refuses AND mixed with OR, and more than 10 clauses, naming the query parameter', async () => {
    const key = (n: number) => `metadata['sf_account_id']:'0010000000000${10 + n}AAA'`
    const mixed = await refusal(
      sdk.stripe.customers.search({ query: `${key(1)} OR ${key(2)} ${key(3)}` }),
    )
    expect(mixed).toMatchObject({ statusCode: 400, param: 'query' })
    const eleven = Array.from({ length: 11 }, (_, i) => key(i)).join(' OR ')
    const tooMany = await refusal(sdk.stripe.customers.search({ query: eleven }))
    expect(tooMany).toMatchObject({ statusCode: 400, param: 'query' })
    const ten = Array.from({ length: 10 }, (_, i) => key(i)).join(' OR ')
    expect((await sdk.stripe.customers.search({ query: ten })).object).toBe('search_result')
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
