import { beforeAll, describe, expect, it } from 'vitest'
import { loadSpec, specProblems } from './spec.ts'

// The check the SDK tests lean on must itself be able to fail.
const line = {
  id: 'il_1',
  object: 'line_item',
  amount: 100,
  currency: 'usd',
  description: 'x',
  discount_amounts: [],
  discountable: true,
  discounts: [],
  invoice: 'in_1',
  livemode: false,
  metadata: {},
  parent: {
    type: 'subscription_item_details',
    invoice_item_details: null,
    subscription_item_details: {
      invoice_item: null,
      proration: false,
      proration_details: { credited_items: null },
      subscription: 'sub_1',
      subscription_item: 'si_1',
    },
  },
  period: { start: 1, end: 2 },
  pretax_credit_amounts: [],
  pricing: {
    type: 'price_details',
    price_details: { price: 'price_1', product: 'prod_1' },
    unit_amount_decimal: '100',
  },
  quantity: 1,
  quantity_decimal: '1',
  subscription: 'sub_1',
  subtotal: 100,
  taxes: [],
}

describe('specProblems', () => {
  beforeAll(loadSpec, 120_000)

  it('passes a line item in the pinned version’s shape', () => {
    expect(specProblems(line)).toEqual([])
    expect(specProblems({ object: 'list', data: [line], has_more: false, url: '/v1/x' })).toEqual(
      [],
    )
  })

  it('flags the removed top-level proration flag', () => {
    expect(specProblems({ ...line, proration: false })).toEqual([
      '$(line_item).proration: not in the spec at this version',
    ])
  })

  it('flags a missing always-present field, a null the spec has none for, and a wrong type', () => {
    const { subtotal: _, ...withoutSubtotal } = line
    expect(specProblems(withoutSubtotal)).toEqual([
      '$(line_item).subtotal: missing (always present at this version)',
    ])
    expect(specProblems({ ...line, amount: null })).toEqual([
      '$(line_item).amount: null where the spec has no null',
    ])
    expect(specProblems({ ...line, period: { start: '1', end: 2 } })).toEqual([
      '$(line_item).period.start: "1" is not a number',
    ])
  })

  it('checks error bodies against Stripe’s error object', () => {
    expect(
      specProblems({
        error: { type: 'invalid_request_error', message: 'x', code: 'resource_missing' },
      }),
    ).toEqual([])
    expect(specProblems({ error: { type: 'nope', message: 'x', extra: 'y' } })).toEqual([
      '$.error.type: nope',
      '$.error.extra: not in the spec',
    ])
  })
})
