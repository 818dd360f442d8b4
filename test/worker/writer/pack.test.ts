import { describe, expect, it } from 'vitest'
import { pack, type PendingRow } from '../../../worker/writer/pack.ts'

const rows = (object: string, n: number, enqueuedAt = 1_000): PendingRow[] =>
  Array.from({ length: n }, (_, i) => ({
    object,
    external_id_field: object === 'Account' ? 'Id' : 'External_Id__c',
    external_id: `${object}-${i}`,
    fields: '{}',
    source_updated_at: 1,
    account_id: null,
    attempts: 0,
    enqueued_at: enqueuedAt + i,
  }))

describe('pack', () => {
  it('fills the five collections with full ones first and leaves a small group for the next call', () => {
    const due = [
      ...rows('Account', 7),
      ...rows('Billing_Invoice__c', 600),
      ...rows('Billing_Payment__c', 400),
    ]
    const packed = pack(due)
    expect(packed.groups.map((g) => [g.object, g.records.length])).toEqual([
      ['Billing_Invoice__c', 200],
      ['Billing_Invoice__c', 200],
      ['Billing_Invoice__c', 200],
      ['Billing_Payment__c', 200],
      ['Billing_Payment__c', 200],
    ])
  })

  it('puts a group that has waited too long first, whatever its size', () => {
    const due = [...rows('Account', 7, 10), ...rows('Billing_Invoice__c', 1_000, 5_000)]
    const packed = pack(due, 1_000)
    expect(packed.groups.map((g) => g.object)).toContain('Account')
    expect(packed.groups.reduce((n, g) => n + g.records.length, 0)).toBe(807)
  })

  it('orders parents before children within a call', () => {
    const packed = pack([...rows('Billing_Payment__c', 3), ...rows('Billing_Invoice__c', 3)])
    expect(packed.groups.map((g) => g.object)).toEqual(['Billing_Invoice__c', 'Billing_Payment__c'])
    expect(packed.groups[0]?.records[0]).toEqual({ External_Id__c: 'Billing_Invoice__c-0' })
  })
})
