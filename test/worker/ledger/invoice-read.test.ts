import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Invoice } from '../../../shared/index.ts'
import { INVOICE_READ_FALLBACK_MS } from '../../../worker/ledger/finance-book.ts'
import type { WriteRecord } from '../../../worker/writer/types.ts'
import { DoubleConnectors } from '../../doubles/connectors.ts'
import {
  amendmentChain,
  drain,
  freezeClockAhead,
  ledger,
  newAccountId,
  postEvents,
  useRecordSink,
} from '../support/helpers.ts'
import { useConnectorFactory } from '../support/wiring.ts'

let doubles: DoubleConnectors
let account: string
let handed: WriteRecord[]
let reads: string[]

const INVOICE = 'in_fallback_1'

/** Billing's invoice as the reader maps it: paid, made by the amendment's change. */
const paidInvoice = (): Invoice => ({
  id: INVOICE,
  accountId: account,
  status: 'paid',
  currency: 'USD',
  amountDue: 3000,
  amountPaid: 3000,
  amountRemaining: 0,
  sourceUpdatedAt: new Date(Date.now() - 1_000).toISOString(),
})

beforeEach(() => {
  freezeClockAhead()
  account = newAccountId()
  doubles = new DoubleConnectors()
  handed = []
  reads = []
  // Billing answers each change naming the invoice it produced, as Stripe's `latest_invoice` does.
  const apply = doubles.billing.applyAmendment
  doubles.billing.applyAmendment = async (...args) => ({
    ...(await apply(...args)),
    latestInvoiceId: INVOICE,
  })
  doubles.billingReader.invoice = (id) => {
    reads.push(`invoice ${id}`)
    return Promise.resolve(paidInvoice())
  }
  doubles.billingReader.paymentsOfInvoice = (id) => {
    reads.push(`payments ${id}`)
    return Promise.resolve([])
  }
  useConnectorFactory(() => doubles)
  useRecordSink({
    enqueue: (records) => {
      handed.push(...records)
      return doubles.writer.enqueue(records)
    },
  })
})
afterEach(() => {
  useConnectorFactory()
  vi.restoreAllMocks()
  vi.useRealTimers()
})

const invoiceRecords = () => handed.filter((r) => r.object === 'Billing_Invoice__c')

async function apply(amendment = amendmentChain(1, { Account_Id__c: account })[0]): Promise<void> {
  await postEvents([amendment])
  await drain(account)
  expect((await ledger(account).amendment(String(amendment?.EventUuid)))?.state).toBe('applied')
}

describe('AccountLedger: the invoice an amendment produced', () => {
  it('reads it itself when no webhook names it within INVOICE_READ_FALLBACK_MS, and hands it to the writer', async () => {
    await apply()
    // Its webhooks get their chance first: nothing read yet.
    expect(reads).toEqual([])
    vi.setSystemTime(Date.now() + INVOICE_READ_FALLBACK_MS - 1_000)
    await drain(account)
    expect(reads).toEqual([])
    vi.setSystemTime(Date.now() + 1_001)
    await drain(account)
    expect(reads).toEqual([`invoice ${INVOICE}`, `payments ${INVOICE}`])
    expect(invoiceRecords().map((r) => [r.externalId, r.fields.Status__c])).toEqual([
      [INVOICE, 'paid'],
    ])
  })

  it('reads it once when its webhook comes first: the webhook read serves the fallback too', async () => {
    await apply()
    await ledger(account).recordBillingEvents(account, [
      {
        id: 'evt_paid_1',
        type: 'invoice.paid',
        created: Math.floor(Date.now() / 1000),
        refresh: [{ kind: 'invoice', id: INVOICE }],
      },
    ])
    vi.setSystemTime(Date.now() + 300)
    await drain(account)
    expect(reads).toEqual([`invoice ${INVOICE}`, `payments ${INVOICE}`])
    vi.setSystemTime(Date.now() + INVOICE_READ_FALLBACK_MS * 2)
    await drain(account)
    expect(reads).toHaveLength(2)
    expect(invoiceRecords()).toHaveLength(1)
  })

  it('does not read an invoice the ledger already holds (a change that produced no new one)', async () => {
    const [create, change] = amendmentChain(2, { Account_Id__c: account })
    await apply(create)
    vi.setSystemTime(Date.now() + INVOICE_READ_FALLBACK_MS)
    await drain(account)
    expect(reads).toHaveLength(2)
    // A seat change answered with the same latest invoice: nothing new to read.
    await apply(change)
    vi.setSystemTime(Date.now() + INVOICE_READ_FALLBACK_MS * 2)
    await drain(account)
    expect(reads).toHaveLength(2)
  })
})
