import { createElement } from 'lwc'
import FinancialStanding from 'c/financialStanding'
import { getRecord, notifyRecordUpdateAvailable } from 'lightning/uiRecordApi'
import { getRelatedListRecords } from 'lightning/uiRelatedListApi'
import { subscribe, unsubscribe, isEmpEnabled } from 'lightning/empApi'
import { refreshApex } from '@salesforce/apex'
import { refreshBucket } from 'c/concordRefresh'
import { assertAccessible, flushPromises } from '../../__tests__/utils/assertAccessible'

jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), {
  virtual: true,
})

const RECORD_ID = '001000000000001AAA'
const MINUTE = 60 * 1000
const OWN_BUCKET = refreshBucket(RECORD_ID)
/** Every bucket but this Account's: a hint naming all of them is about other Accounts only. */
const OTHER_BUCKETS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0')).filter(
  (b) => b !== OWN_BUCKET,
)

function field(value) {
  return { value, displayValue: null }
}

function account(overrides = {}) {
  const values = {
    Concord_Standing__c: 'watch',
    Concord_Balance__c: 1500,
    Concord_Overdue__c: 500,
    Concord_Aging_Current__c: 1000,
    Concord_Aging_1_30__c: 300,
    Concord_Aging_31_60__c: 200,
    Concord_Aging_61_90__c: 0,
    Concord_Aging_90_Plus__c: 0,
    Concord_Days_Past_Due__c: 12,
    Concord_Last_Payment_Date__c: '2030-01-15',
    Concord_Last_Payment_Amount__c: 250,
    Concord_Failed_Payments__c: 1,
    Concord_Credit_Hold__c: false,
    Concord_As_Of__c: new Date(Date.now() - 2 * MINUTE).toISOString(),
    ...overrides,
  }
  const fields = {}
  for (const [name, value] of Object.entries(values)) fields[name] = field(value)
  return { apiName: 'Account', id: RECORD_ID, fields }
}

const INVOICES = {
  records: [
    {
      id: 'a01000000000001AAA',
      fields: {
        Number__c: field('INV-0042'),
        Status__c: field('open'),
        Due_Date__c: field('2030-01-01'),
        Amount_Remaining__c: field(500),
        Currency_Iso__c: field('usd'),
        Hosted_Url__c: field('https://invoice.example.com/42'),
      },
    },
  ],
}
const PAYMENTS = {
  records: [
    {
      id: 'a02000000000001AAA',
      fields: {
        Paid_At__c: field('2030-01-15T10:00:00.000Z'),
        Amount__c: field(250),
        Currency_Iso__c: field('usd'),
        Status__c: field('failed'),
        Method__c: field('card'),
        Failure_Reason__c: field('card_declined'),
      },
    },
  ],
}

/**
 * Both related-list wires share one adapter; route each emit by its relatedListId. Wire configs
 * reach the adapter in a microtask after mount, so wait for them first.
 */
async function emitRelatedLists({ invoices = INVOICES, payments = PAYMENTS } = {}) {
  await flushPromises()
  getRelatedListRecords.emit(invoices, (config) => config.relatedListId === 'Invoices__r')
  getRelatedListRecords.emit(payments, (config) => config.relatedListId === 'Payments__r')
}

function mount(props = {}) {
  const element = createElement('c-financial-standing', { is: FinancialStanding })
  element.recordId = RECORD_ID
  Object.assign(element, props)
  document.body.appendChild(element)
  return element
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector)

describe('c-financial-standing', () => {
  beforeEach(() => {
    isEmpEnabled.mockResolvedValue(true)
    subscribe.mockResolvedValue({ id: 'sub-1', channel: '/event/Concord_Refresh__e' })
  })

  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild)
    jest.clearAllMocks()
  })

  it('shows a spinner while the account loads', async () => {
    const element = mount()
    await flushPromises()

    expect($(element, 'lightning-spinner')).not.toBeNull()
    assertAccessible(element)
  })

  it('shows standing, balance, overdue, aging, last payment, invoices and payments', async () => {
    const element = mount()
    getRecord.emit(account())
    await emitRelatedLists()
    await flushPromises()

    expect($(element, 'lightning-badge').label).toBe('Watch')
    expect($(element, '.balance').textContent).toBe('$1,500.00')
    expect($(element, '.overdue').textContent).toContain('$500.00')
    expect($(element, '.days-past-due').textContent).toContain('12 days past due')
    expect($(element, '.last-payment').textContent).toBe('$250.00 on Jan 15, 2030')
    expect($(element, '.credit-hold')).toBeNull()
    expect($(element, '.stale')).toBeNull()
    const segments = element.shadowRoot.querySelectorAll('.aging-bar .segment')
    expect(segments).toHaveLength(3)
    expect(segments[0].style.width).toBe('66.67%')
    expect($(element, '.aging-bar').getAttribute('aria-label')).toContain('1–30 days $300.00')
    const invoice = $(element, '.invoices a')
    expect(invoice.textContent).toBe('INV-0042')
    expect(invoice.href).toBe('https://invoice.example.com/42')
    expect($(element, '.invoices').textContent).toContain('due Jan 1, 2030')
    expect($(element, '.payments').textContent).toContain('card_declined')
    assertAccessible(element)
  })

  it("shows the Account's money in the Account's currency, and each document in its own", async () => {
    const element = mount()
    const record = account()
    record.fields.CurrencyIsoCode = field('EUR')
    getRecord.emit(record)
    await emitRelatedLists()
    await flushPromises()

    expect($(element, '.balance').textContent).toBe('€1,500.00')
    expect($(element, '.last-payment').textContent).toBe('€250.00 on Jan 15, 2030')
    expect($(element, '.aging-bar').getAttribute('aria-label')).toContain('1–30 days €300.00')
    // The invoice and the payment were issued in US dollars: they keep their own currency.
    expect($(element, '.invoices').textContent).toContain('$500.00')
    expect($(element, '.payments').textContent).toContain('$250.00')
    assertAccessible(element)
  })

  it('reads the currency as an optional field, so a single-currency org can show the card', async () => {
    mount()
    await flushPromises()

    const config = getRecord.getLastConfig()
    expect(config.optionalFields).toEqual(['Account.CurrencyIsoCode'])
    expect(config.fields).not.toContain('Account.CurrencyIsoCode')
  })

  it('shows the credit hold and a stale warning for old figures', async () => {
    const element = mount({ staleAfterMinutes: 30 })
    getRecord.emit(
      account({
        Concord_Credit_Hold__c: true,
        Concord_Standing__c: 'hold',
        Concord_As_Of__c: new Date(Date.now() - 45 * MINUTE).toISOString(),
      }),
    )
    await emitRelatedLists()
    await flushPromises()

    expect($(element, '.credit-hold').label).toBe('Credit hold')
    expect($(element, '.stale')).not.toBeNull()
    assertAccessible(element)
  })

  it('shows an empty state before Concord has sent figures', async () => {
    const element = mount()
    getRecord.emit(account({ Concord_As_Of__c: null }))
    await flushPromises()

    expect($(element, '.empty')).not.toBeNull()
    expect($(element, '.summary')).toBeNull()
    assertAccessible(element)
  })

  it('shows no-invoices and no-payments messages when the lists are empty', async () => {
    const element = mount()
    getRecord.emit(
      account({ Concord_Aging_Current__c: 0, Concord_Aging_1_30__c: 0, Concord_Aging_31_60__c: 0 }),
    )
    await emitRelatedLists({ invoices: { records: [] }, payments: { records: [] } })
    await flushPromises()

    expect($(element, '.no-invoices')).not.toBeNull()
    expect($(element, '.no-payments')).not.toBeNull()
    expect($(element, '.aging')).toBeNull()
    assertAccessible(element)
  })

  it('shows an error when the account cannot be read', async () => {
    const element = mount()
    getRecord.error({ message: 'You do not have access to the Account fields.' })
    await flushPromises()

    expect($(element, '.error').textContent).toBe('You do not have access to the Account fields.')
    assertAccessible(element)
  })

  it("subscribes to Concord_Refresh__e and refreshes when this account's bucket is named", async () => {
    const element = mount()
    getRecord.emit(account())
    await emitRelatedLists()
    await flushPromises()
    const refreshed = jest.fn()
    element.addEventListener('lightning__refresh', refreshed)

    expect(subscribe).toHaveBeenCalledWith('/event/Concord_Refresh__e', -1, expect.any(Function))
    const onMessage = subscribe.mock.calls[0][2]
    onMessage({
      data: {
        payload: { Buckets__c: `${OTHER_BUCKETS[0]},${OWN_BUCKET}`, Reason__c: 'payment' },
      },
    })

    expect(notifyRecordUpdateAvailable).toHaveBeenCalledWith([{ recordId: RECORD_ID }])
    expect(refreshApex).toHaveBeenCalledTimes(2)
    expect(refreshed).toHaveBeenCalledTimes(1)
  })

  it('ignores refresh hints for every other bucket', async () => {
    mount()
    await flushPromises()

    subscribe.mock.calls[0][2]({ data: { payload: { Buckets__c: OTHER_BUCKETS.join(',') } } })

    expect(notifyRecordUpdateAvailable).not.toHaveBeenCalled()
    expect(refreshApex).not.toHaveBeenCalled()
  })

  it('ignores a hint that names record ids instead of buckets, and a malformed one', async () => {
    mount()
    await flushPromises()

    const onMessage = subscribe.mock.calls[0][2]
    onMessage({ data: { payload: { Account_Ids__c: RECORD_ID } } })
    onMessage({ data: { payload: { Buckets__c: RECORD_ID } } })
    onMessage({ data: {} })
    onMessage(undefined)

    expect(notifyRecordUpdateAvailable).not.toHaveBeenCalled()
  })

  it('unsubscribes when removed from the page', async () => {
    const element = mount()
    await flushPromises()

    document.body.removeChild(element)

    expect(unsubscribe).toHaveBeenCalledWith(
      { id: 'sub-1', channel: '/event/Concord_Refresh__e' },
      expect.any(Function),
    )
  })

  it('does not subscribe when streaming is unavailable', async () => {
    isEmpEnabled.mockResolvedValue(false)
    mount()
    await flushPromises()

    expect(subscribe).not.toHaveBeenCalled()
  })
})
