import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Invoice } from '../../../shared/index.ts'
import { drain, ledger, newAccountId } from '../support/helpers.ts'

afterEach(() => vi.useRealTimers())

describe('AccountLedger standing over time', () => {
  it('re-ages an account that owes money each UTC day, without any new event', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-22T12:00:00Z'))
    const account = newAccountId()
    const invoice: Invoice = {
      id: `in_age_${account.slice(-6)}`, accountId: account, status: 'open', currency: 'USD', amountDue: 5_000, amountPaid: 0,
      amountRemaining: 5_000, dueDate: '2026-11-23', sourceUpdatedAt: '2026-11-20T00:00:00.000Z',
    }
    await ledger(account).loadDocuments(account, { invoices: [invoice], payments: [] })
    await drain(account)
    expect(await ledger(account).financialStanding()).toMatchObject({ standing: 'good', daysPastDue: 0 })

    vi.setSystemTime(new Date('2026-11-26T00:05:00Z'))
    await drain(account)
    const aged = await ledger(account).financialStanding()
    expect(aged).toMatchObject({ standing: 'watch', daysPastDue: 3, asOf: '2026-11-26T00:05:00.000Z' })
    expect(aged?.exposures[0]?.aging.days1To30).toBe(5_000)
  })
})
