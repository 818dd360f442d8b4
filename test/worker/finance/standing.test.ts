import { describe, expect, it } from 'vitest'
import type { Invoice, Payment } from '../../../shared/index.ts'
import { computeStanding, daysPastDue } from '../../../worker/finance/standing.ts'

const ACCOUNT = '001Hs00000Xk9ZpIAJ'
const AS_OF = new Date('2026-11-22T15:30:00Z')

function dueDaysAgo(days: number): string {
  return new Date(Date.UTC(2026, 10, 22) - days * 86_400_000).toISOString().slice(0, 10)
}

function invoice(id: string, fields: Partial<Invoice> = {}): Invoice {
  return {
    id,
    accountId: ACCOUNT,
    status: 'open',
    currency: 'USD',
    amountDue: 10_000,
    amountPaid: 0,
    amountRemaining: 10_000,
    dueDate: dueDaysAgo(0),
    sourceUpdatedAt: '2026-11-01T00:00:00.000Z',
    ...fields,
  }
}

function payment(id: string, fields: Partial<Payment> = {}): Payment {
  return {
    id,
    accountId: ACCOUNT,
    status: 'succeeded',
    currency: 'USD',
    amount: 5_000,
    amountRefunded: 0,
    paidAt: '2026-11-01T10:00:00.000Z',
    sourceUpdatedAt: '2026-11-01T10:00:00.000Z',
    ...fields,
  }
}

const standingFor = (invoices: Invoice[], payments: Payment[] = [], creditHold = false) =>
  computeStanding({
    accountId: ACCOUNT,
    invoices,
    payments,
    asOf: AS_OF,
    erp: creditHold ? { creditHold, openDocuments: [], remainingByInvoice: {} } : undefined,
  })

describe('daysPastDue', () => {
  it('counts whole UTC days, negative before the due date', () => {
    expect(daysPastDue('2026-11-22', AS_OF)).toBe(0)
    expect(daysPastDue('2026-11-21', AS_OF)).toBe(1)
    expect(daysPastDue('2026-11-30', AS_OF)).toBe(-8)
  })
})

describe('computeStanding aging buckets', () => {
  it.each([
    [0, 'current'],
    [1, 'days1To30'],
    [30, 'days1To30'],
    [31, 'days31To60'],
    [60, 'days31To60'],
    [61, 'days61To90'],
    [90, 'days61To90'],
    [91, 'days90Plus'],
  ] as const)('puts an invoice %i days past due in %s', (days, bucket) => {
    const s = standingFor([invoice('in_1', { dueDate: dueDaysAgo(days) })])
    expect(s.exposures[0]?.aging[bucket]).toBe(10_000)
    expect(Object.values(s.exposures[0]?.aging ?? {}).reduce((a, b) => a + b, 0)).toBe(10_000)
    expect(s.exposures[0]?.overdue).toBe(days > 0 ? 10_000 : 0)
    expect(s.daysPastDue).toBe(days)
  })

  it('ignores drafts, paid, void and uncollectible invoices', () => {
    const s = standingFor(
      ['draft', 'paid', 'void', 'uncollectible'].map((status, i) =>
        invoice(`in_${i}`, { status: status as Invoice['status'], dueDate: dueDaysAgo(100) }),
      ),
    )
    expect(s.exposures).toEqual([])
    expect(s.standing).toBe('good')
  })
})

describe('computeStanding rules', () => {
  it('is good with nothing overdue', () => {
    expect(standingFor([invoice('in_1', { dueDate: dueDaysAgo(-5) })]).standing).toBe('good')
  })

  it('is watch from one day past due up to 60', () => {
    expect(standingFor([invoice('in_1', { dueDate: dueDaysAgo(1) })])).toMatchObject({
      standing: 'watch',
      reasons: ['an open invoice is 1 days past due'],
    })
    expect(standingFor([invoice('in_1', { dueDate: dueDaysAgo(60) })]).standing).toBe('watch')
  })

  it('is at_risk past 60 days', () => {
    expect(standingFor([invoice('in_1', { dueDate: dueDaysAgo(61) })]).standing).toBe('at_risk')
  })

  it('counts failed payments only on invoices still open: 2 is watch, 3 is at_risk', () => {
    const open = invoice('in_1', { dueDate: dueDaysAgo(-10) })
    const fails = (n: number, invoiceId = 'in_1') =>
      Array.from({ length: n }, (_, i) =>
        payment(`py_${invoiceId}_${i}`, { status: 'failed', invoiceId, paidAt: undefined }),
      )
    expect(standingFor([open], fails(2))).toMatchObject({ standing: 'watch', failedPayments: 2 })
    expect(standingFor([open], fails(3))).toMatchObject({ standing: 'at_risk', failedPayments: 3 })
    expect(
      standingFor([open, invoice('in_2', { status: 'paid' })], fails(3, 'in_2')),
    ).toMatchObject({ standing: 'good', failedPayments: 0 })
  })

  it('prefers the invoice’s own count of failed attempts over linked payments', () => {
    const open = invoice('in_1', { dueDate: dueDaysAgo(-10), failedPaymentAttempts: 3 })
    expect(
      standingFor([open], [payment('py_1', { status: 'failed', invoiceId: 'in_1' })]),
    ).toMatchObject({ standing: 'at_risk', failedPayments: 3 })
  })

  it('is hold whenever the ERP has the customer on credit hold, whatever else', () => {
    expect(standingFor([], [], true)).toMatchObject({
      standing: 'hold',
      creditHold: true,
      reasons: ['credit hold is on in the ERP'],
    })
  })
})

describe('computeStanding money', () => {
  it('keeps each currency apart and never sums across them', () => {
    const s = standingFor([
      invoice('in_usd', { currency: 'USD', amountRemaining: 30_000, dueDate: dueDaysAgo(10) }),
      invoice('in_eur', { currency: 'EUR', amountRemaining: 20_000, dueDate: dueDaysAgo(-3) }),
      invoice('in_usd2', { currency: 'USD', amountRemaining: 5_000, dueDate: dueDaysAgo(-3) }),
    ])
    expect(s.exposures).toEqual([
      {
        currency: 'USD',
        openBalance: 35_000,
        overdue: 30_000,
        aging: { current: 5_000, days1To30: 30_000, days31To60: 0, days61To90: 0, days90Plus: 0 },
      },
      {
        currency: 'EUR',
        openBalance: 20_000,
        overdue: 0,
        aging: { current: 20_000, days1To30: 0, days31To60: 0, days61To90: 0, days90Plus: 0 },
      },
    ])
  })

  it('takes what is still owed from the ERP where it has the invoice, and adds ERP-only documents', () => {
    const s = computeStanding({
      accountId: ACCOUNT,
      invoices: [invoice('in_1', { amountRemaining: 10_000 })],
      payments: [],
      asOf: AS_OF,
      erp: {
        creditHold: false,
        remainingByInvoice: { in_1: 2_500 },
        openDocuments: [
          { id: 'ns-77', currency: 'USD', amountRemaining: 1_000, dueDate: dueDaysAgo(40) },
        ],
      },
    })
    expect(s.exposures[0]).toMatchObject({ openBalance: 3_500, overdue: 1_000 })
    expect(s.exposures[0]?.aging.days31To60).toBe(1_000)
  })

  it('reports the latest successful payment net of refunds', () => {
    const s = standingFor(
      [],
      [
        payment('py_1', { paidAt: '2026-10-01T00:00:00.000Z', amount: 9_000 }),
        payment('py_2', {
          paidAt: '2026-11-15T08:00:00.000Z',
          amount: 7_000,
          status: 'partially_refunded',
          amountRefunded: 2_000,
        }),
        payment('py_3', { paidAt: '2026-11-20T08:00:00.000Z', status: 'failed' }),
      ],
    )
    expect(s.lastPayment).toEqual({ date: '2026-11-15', amount: 5_000, currency: 'USD' })
  })
})
