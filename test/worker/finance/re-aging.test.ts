import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Invoice } from '../../../shared/index.ts'
import { drain, ledger, newAccountId } from '../support/helpers.ts'

afterEach(() => vi.useRealTimers())

describe('AccountLedger standing over time', () => {
  it('re-ages an account that owes money each UTC day, without any new event', async () => {
    // The fake days lie ahead of the real clock: workerd fires alarms by real time, and one armed
    // for a fake day already past in real time would run on its own, mid-test.
    const now = new Date()
    const day = (offset: number, time: string) =>
      `${new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 60 + offset)).toISOString().slice(0, 10)}T${time}`
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date(day(0, '12:00:00.000Z')))
    const account = newAccountId()
    const invoice: Invoice = {
      id: `in_age_${account.slice(-6)}`,
      accountId: account,
      status: 'open',
      currency: 'USD',
      amountDue: 5_000,
      amountPaid: 0,
      amountRemaining: 5_000,
      dueDate: day(1, '').slice(0, 10),
      sourceUpdatedAt: day(-2, '00:00:00.000Z'),
    }
    await ledger(account).loadDocuments(account, { invoices: [invoice], payments: [] })
    await drain(account)
    expect(await ledger(account).financialStanding()).toMatchObject({
      standing: 'good',
      daysPastDue: 0,
    })

    vi.setSystemTime(new Date(day(4, '00:05:00.000Z')))
    await drain(account)
    const aged = await ledger(account).financialStanding()
    expect(aged).toMatchObject({ standing: 'watch', daysPastDue: 3, asOf: day(4, '00:05:00.000Z') })
    expect(aged?.exposures[0]?.aging.days1To30).toBe(5_000)
  })
})
