import { describe, expect, it } from 'vitest'
import type { Invoice } from '../../../shared/index.ts'
import { drain, ledger, newAccountId } from '../support/helpers.ts'

describe('AccountLedger documents', () => {
  it('keeps the later read of an invoice when an earlier read of the same status and second comes after it', async () => {
    const account = newAccountId()
    const invoice: Invoice = {
      id: `in_order_${account.slice(-6)}`,
      accountId: account,
      status: 'open',
      currency: 'USD',
      amountDue: 5_000,
      amountPaid: 0,
      amountRemaining: 5_000,
      dueDate: '2099-01-01',
      // Stripe's times are whole seconds: a second failed attempt leaves this unchanged.
      sourceUpdatedAt: '2026-11-20T10:00:00.000Z',
    }
    const readAt = Date.now()
    const later = { ...invoice, failedPaymentAttempts: 2 }
    const earlier = { ...invoice, failedPaymentAttempts: 1 }
    const stub = ledger(account)
    expect(await stub.loadDocuments(account, { invoices: [later], payments: [], readAt })).toBe(1)
    expect(
      await stub.loadDocuments(account, {
        invoices: [earlier],
        payments: [],
        readAt: readAt - 1_000,
      }),
    ).toBe(0)
    await drain(account)
    expect(await stub.financialStanding()).toMatchObject({ standing: 'watch', failedPayments: 2 })
  })

  it('keeps the ERP’s newer AR facts when older ones arrive after them', async () => {
    const account = newAccountId()
    const stub = ledger(account)
    const facts = { openDocuments: [], remainingByInvoice: {} }
    await stub.applyErpFacts(account, { ...facts, creditHold: false }, '2026-11-20T10:00:05.000Z')
    await stub.applyErpFacts(account, { ...facts, creditHold: true }, '2026-11-20T10:00:01.000Z')
    await drain(account)
    expect(await stub.financialStanding()).toMatchObject({ creditHold: false, standing: 'good' })
  })
})
