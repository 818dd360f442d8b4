import { createElement } from 'lwc'
import ConcordMoneyRequest from 'c/concordMoneyRequest'
import { getRecord } from 'lightning/uiRecordApi'
import { getRelatedListRecords } from 'lightning/uiRelatedListApi'
import requestCredit from '@salesforce/apex/ConcordMoneyController.requestCredit'
import requestRefund from '@salesforce/apex/ConcordMoneyController.requestRefund'
import getRequest from '@salesforce/apex/ConcordMoneyController.getRequest'
import { assertAccessible, flushPromises } from '../../__tests__/utils/assertAccessible'

jest.mock(
  '@salesforce/customPermission/Concord_Request_Credits',
  () => ({ __esModule: true, default: true }),
  { virtual: true },
)
jest.mock('@salesforce/apex/ConcordMoneyController.requestCredit', () => ({ default: jest.fn() }), {
  virtual: true,
})
jest.mock('@salesforce/apex/ConcordMoneyController.requestRefund', () => ({ default: jest.fn() }), {
  virtual: true,
})
jest.mock('@salesforce/apex/ConcordMoneyController.getRequest', () => ({ default: jest.fn() }), {
  virtual: true,
})

// Answers in ConcordMoneyController.RequestView's shape (checked by test/sfdx/lwc-apex-shapes.test.ts).
const CREDIT = require('./data/requestCredit.json')
const REFUND = require('./data/requestRefund.json')
const REJECTED = require('./data/getRequest.json')

const INVOICE_ID = 'a02000000000001AAA'
const PAYMENT_ID = 'a03000000000001AAA'
const INVOICE = {
  apiName: 'Billing_Invoice__c',
  id: INVOICE_ID,
  fields: { Currency_Iso__c: { value: 'USD' }, Status__c: { value: 'paid' } },
}
const PAYMENTS = {
  records: [
    {
      id: PAYMENT_ID,
      fields: {
        Id: { value: PAYMENT_ID },
        Name: { value: 'PAY-000001' },
        Amount__c: { value: 120 },
        Amount_Refunded__c: { value: 0 },
        Status__c: { value: 'succeeded' },
      },
    },
  ],
}
const auraError = (message) => ({ body: { message }, status: 500 })

async function mount() {
  const element = createElement('c-concord-money-request', { is: ConcordMoneyRequest })
  element.recordId = INVOICE_ID
  document.body.appendChild(element)
  await flushPromises()
  getRecord.emit(INVOICE)
  getRelatedListRecords.emit(PAYMENTS)
  await flushPromises()
  return element
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector)
const $$ = (element, selector) => [...element.shadowRoot.querySelectorAll(selector)]

async function change(element, field, value) {
  $(element, `[data-field="${field}"]`).dispatchEvent(
    new CustomEvent('change', { detail: { value } }),
  )
  await flushPromises()
}

async function click(element, cls) {
  $(element, `lightning-button.${cls}`).click()
  await flushPromises()
}

describe('c-concord-money-request', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild)
    jest.clearAllMocks()
  })

  it('asks for a credit by amount and shows the dry run, pending approval', async () => {
    requestCredit.mockResolvedValue(CREDIT)
    const element = await mount()
    expect($(element, 'lightning-button.ask').disabled).toBe(true)
    expect($(element, '[data-field="amount"]').label).toBe('Amount (USD)')

    await change(element, 'amount', '15')
    await change(element, 'memo', 'goodwill')
    expect($(element, 'lightning-button.ask').disabled).toBe(false)
    await click(element, 'ask')

    expect(requestCredit).toHaveBeenCalledWith({
      invoiceId: INVOICE_ID,
      amount: 15,
      reason: 'order_change',
      memo: 'goodwill',
    })
    expect($(element, '.request .slds-badge').textContent).toBe('Pending approval')
    expect($(element, '.request .amount').textContent).toBe('$15.00')
    expect($$(element, '.calls li').map((li) => li.textContent)).toEqual(CREDIT.calls)
    expect($(element, '.notes li').textContent).toBe(CREDIT.notes[0])
    await assertAccessible(element)
  })

  it('refunds a chosen payment, all that is left when no amount is given', async () => {
    requestRefund.mockResolvedValue(REFUND)
    const element = await mount()

    await change(element, 'kind', 'refund')
    const payment = $(element, '[data-field="paymentId"]')
    expect(payment.value).toBe(PAYMENT_ID)
    expect(payment.options[0].label).toBe('PAY-000001 · $120.00 · succeeded')
    expect($(element, '[data-field="reason"]').value).toBe('requested_by_customer')
    await click(element, 'ask')

    expect(requestRefund).toHaveBeenCalledWith({
      paymentId: PAYMENT_ID,
      amount: null,
      reason: 'requested_by_customer',
      memo: null,
    })
    expect(requestCredit).not.toHaveBeenCalled()
    expect($$(element, '.calls li')).toHaveLength(3)
    await assertAccessible(element)
  })

  it("shows Concord's refusal (over-refund) with its message, and keeps the form", async () => {
    requestRefund.mockRejectedValue(
      auraError('The refund of 9000 USD exceeds what is refundable on payment ch_1 (5000 USD).'),
    )
    const element = await mount()
    await change(element, 'kind', 'refund')
    await change(element, 'amount', '90')
    await click(element, 'ask')

    const alert = $(element, '.form-error')
    expect(alert.getAttribute('role')).toBe('alert')
    expect(alert.textContent).toContain('exceeds what is refundable')
    expect($(element, '.request')).toBeNull()
    expect($(element, 'lightning-button.ask').disabled).toBe(false)
    await assertAccessible(element)
  })

  it("reads the request's state again: refused by the approver, with the reason", async () => {
    requestCredit.mockResolvedValue(CREDIT)
    getRequest.mockResolvedValue(REJECTED)
    const element = await mount()
    await change(element, 'amount', '15')
    await click(element, 'ask')
    await click(element, 'check')

    expect(getRequest).toHaveBeenCalledWith({ requestId: 'ar_1' })
    expect($(element, '.request .slds-badge').textContent).toBe('Refused by the approver')
    expect($(element, '.request .message').textContent).toBe(REJECTED.message)
    await assertAccessible(element)
  })

  it('says so when the invoice has no payment to refund', async () => {
    const element = createElement('c-concord-money-request', { is: ConcordMoneyRequest })
    element.recordId = INVOICE_ID
    document.body.appendChild(element)
    getRecord.emit(INVOICE)
    getRelatedListRecords.emit({ records: [] })
    await flushPromises()
    await change(element, 'kind', 'refund')

    expect($(element, '.no-payments')).not.toBeNull()
    expect($(element, 'lightning-button.ask').disabled).toBe(true)
  })
})
