import { describe, expect, it } from 'vitest'
import { approvalRule, type ActionFacts } from '../../../worker/ledger/governance.ts'

const seats = { action: 'change_quantity', proration: 'create_prorations' } as const
const required = (facts: ActionFacts) => approvalRule(facts).required

describe('approvalRule', () => {
  it('asks for approval of a retry whose billing step is still ahead', () => {
    for (const step of ['xref', 'billing'] as const) {
      expect(required({ kind: 'retry', step, amendment: seats })).toBe(true)
      for (const action of ['create', 'renew', 'change_price'] as const)
        expect(required({ kind: 'retry', step, amendment: { ...seats, action } })).toBe(true)
    }
    const noProration = { ...seats, proration: 'none' } as const
    expect(required({ kind: 'retry', step: 'billing', amendment: noProration })).toBe(true)
  })

  it('lets a retry past billing run directly (ERP or status only)', () => {
    for (const step of ['erp', 'status'] as const)
      expect(required({ kind: 'retry', step, amendment: seats })).toBe(false)
  })

  it('lets a cancel without proration run directly: it bills and credits nothing', () => {
    const cancel = { action: 'cancel', proration: 'none', cancelMode: 'immediately' } as const
    expect(required({ kind: 'retry', step: 'billing', amendment: cancel })).toBe(false)
    const credited = { ...cancel, proration: 'create_prorations' } as const
    expect(required({ kind: 'retry', step: 'billing', amendment: credited })).toBe(true)
  })

  it('asks for approval of any skip of a billing step, and of no other skip', () => {
    const cancel = { action: 'cancel', proration: 'none', cancelMode: 'at_period_end' } as const
    expect(required({ kind: 'skip', step: 'billing', amendment: cancel })).toBe(true)
    expect(required({ kind: 'skip', step: 'xref', amendment: seats })).toBe(true)
    expect(required({ kind: 'skip', step: 'erp', amendment: seats })).toBe(false)
  })

  it('never asks for a backfill or a replay, always for a credit or a refund', () => {
    expect(required({ kind: 'backfill' })).toBe(false)
    expect(required({ kind: 'replay' })).toBe(false)
    expect(required({ kind: 'credit' })).toBe(true)
    expect(required({ kind: 'refund' })).toBe(true)
  })

  it('says why in words', () => {
    expect(approvalRule({ kind: 'skip', step: 'billing', amendment: seats }).why).toMatch(
      /withholds a billing change/,
    )
  })
})
