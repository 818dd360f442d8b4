import { createElement } from 'lwc'
import AmendSubscription from 'c/amendSubscription'
import { getRelatedListRecords } from 'lightning/uiRelatedListApi'
import getCatalog from '@salesforce/apex/AmendmentController.getCatalog'
import previewAmendment from '@salesforce/apex/AmendmentController.previewAmendment'
import submitAmendment from '@salesforce/apex/AmendmentController.submitAmendment'
import { assertAccessible, flushPromises } from '../../__tests__/utils/assertAccessible'

jest.mock('@salesforce/apex/AmendmentController.getCatalog', () => ({ default: jest.fn() }), {
  virtual: true,
})
jest.mock('@salesforce/apex/AmendmentController.previewAmendment', () => ({ default: jest.fn() }), {
  virtual: true,
})
jest.mock('@salesforce/apex/AmendmentController.submitAmendment', () => ({ default: jest.fn() }), {
  virtual: true,
})

// Responses and the request in the Apex classes' shapes: test/sfdx/lwc-apex-shapes.test.ts
// checks every key against the @AuraEnabled fields of AmendmentController and AmendmentPublisher.
const CATALOG = require('./data/getCatalog.json')
const PREVIEW = require('./data/previewAmendment.json')
const PREVIEW_REQUEST = require('./data/previewAmendment.request.json')
const SUBMITTED = require('./data/submitAmendment.json')

const ACCOUNT_ID = PREVIEW_REQUEST.accountId
const SUBSCRIPTIONS = {
  records: [
    {
      id: 'a03000000000001AAA',
      fields: {
        Subscription_Key__c: { value: 'SUB-1' },
        Price_Key__c: { value: 'pro_monthly' },
        Quantity__c: { value: 10 },
        Status__c: { value: 'active' },
      },
    },
  ],
}
const auraError = (message) => ({ body: { message }, status: 500 })

async function mount() {
  const element = createElement('c-amend-subscription', { is: AmendSubscription })
  element.recordId = ACCOUNT_ID
  document.body.appendChild(element)
  await flushPromises()
  getRelatedListRecords.emit(SUBSCRIPTIONS)
  await flushPromises()
  return element
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector)
const button = (element, cls) => $(element, `lightning-button.${cls}`)

function change(element, field, value) {
  const input = $(element, `[data-field="${field}"]`)
  input.dispatchEvent(new CustomEvent('change', { detail: { value } }))
}

describe('c-amend-subscription', () => {
  beforeEach(() => {
    getCatalog.mockResolvedValue(CATALOG)
  })

  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild)
    jest.clearAllMocks()
  })

  it("offers the account's subscriptions and the catalog, preselecting the first subscription", async () => {
    const element = await mount()

    const subscription = $(element, '[data-field="subscriptionKey"]')
    expect(subscription.value).toBe('SUB-1')
    expect(subscription.options[0].label).toBe('SUB-1 · pro_monthly × 10')
    expect($(element, '[data-field="quantity"]').value).toBe(10)
    expect(button(element, 'submit').disabled).toBe(true)
    change(element, 'action', 'change_price')
    await flushPromises()
    const prices = $(element, '[data-field="priceKey"]').options
    expect(prices.map((o) => o.value)).toEqual(['pro_monthly', 'team_yearly', 'yen_monthly'])
    expect(prices[0].label).toBe('Pro (month, $12.00 per unit)')
    expect(prices[1].label).toBe('Team (year, USD)')
    expect(prices[2].label).toBe('Pro JP (month, ¥1,500 per unit)')
    assertAccessible(element)
  })

  it('shows the proration preview and enables confirm', async () => {
    previewAmendment.mockResolvedValue(PREVIEW)
    const element = await mount()
    change(element, 'quantity', '12')

    button(element, 'preview-button').click()
    await flushPromises()

    expect(previewAmendment).toHaveBeenCalledWith({ request: PREVIEW_REQUEST })
    const lines = element.shadowRoot.querySelectorAll('.preview-line')
    expect(lines).toHaveLength(2)
    expect(lines[0].textContent).toContain('Jan 1, 2030 – Feb 1, 2030')
    expect(lines[1].textContent).toContain('-$40.00')
    expect($(element, '.preview-total').textContent).toBe('$120.50')
    expect($(element, '.preview-due').textContent).toBe('$40.00')
    expect(button(element, 'submit').disabled).toBe(false)
    assertAccessible(element)
  })

  it.each([
    [
      { tax: 0, taxReasons: ['reverse_charge'] },
      '$0.00 · reverse charge: the customer accounts for the tax',
    ],
    [{ tax: 0, taxReasons: ['customer_exempt'] }, '$0.00 · customer is tax exempt'],
    [{ tax: 0, taxReasons: ['not_collecting'] }, '$0.00 · tax not collected here'],
    [{ tax: 874, taxReasons: ['standard_rated'] }, '$8.74'],
  ])('shows the tax in the total apart, with why: %j', async (tax, shown) => {
    previewAmendment.mockResolvedValue({ ...PREVIEW, ...tax })
    const element = await mount()

    button(element, 'preview-button').click()
    await flushPromises()

    expect($(element, '.preview-tax').textContent.replace(/\s+/g, ' ').trim()).toBe(shown)
    expect($(element, '.preview-total').textContent).toBe('$120.50')
    assertAccessible(element)
  })

  it('shows no tax line when billing computed no tax', async () => {
    previewAmendment.mockResolvedValue({ ...PREVIEW, tax: null, taxReasons: [] })
    const element = await mount()

    button(element, 'preview-button').click()
    await flushPromises()

    expect($(element, '.preview-total').textContent).toBe('$120.50')
    expect($(element, '.preview-tax')).toBeNull()
    assertAccessible(element)
  })

  it("shows when the preview was prorated, in the user's locale and time zone", async () => {
    previewAmendment.mockResolvedValue(PREVIEW)
    const element = await mount()

    button(element, 'preview-button').click()
    await flushPromises()

    // 1893456000 is 2030-01-01T00:00Z: the afternoon before in America/Los_Angeles (jest's zone).
    const pricedAt = $(element, '.preview-priced-at').textContent.replace(/\s+/g, ' ')
    expect(pricedAt).toContain('Prorated as of Dec 31, 2029, 4:00 PM.')
    assertAccessible(element)
  })

  it('omits the proration instant when billing prices the change later', async () => {
    previewAmendment.mockResolvedValue({ ...PREVIEW, prorationDate: null, previewToken: null })
    const element = await mount()

    button(element, 'preview-button').click()
    await flushPromises()

    expect($(element, '.preview-total').textContent).toBe('$120.50')
    expect($(element, '.preview-priced-at')).toBeNull()
    assertAccessible(element)
  })

  it('submits the previewed change with its proration date, token and sequence, toasts and closes', async () => {
    previewAmendment.mockResolvedValue(PREVIEW)
    submitAmendment.mockResolvedValue(SUBMITTED)
    const element = await mount()
    const toast = jest.fn()
    const close = jest.fn()
    element.addEventListener('lightning__showtoast', toast)
    element.addEventListener('close', close)
    change(element, 'action', 'cancel')
    await flushPromises()
    change(element, 'cancelMode', 'immediately')
    button(element, 'preview-button').click()
    await flushPromises()

    button(element, 'submit').click()
    await flushPromises()

    expect(submitAmendment).toHaveBeenCalledWith({
      request: expect.objectContaining({
        action: 'cancel',
        cancelMode: 'immediately',
        subscriptionKey: 'SUB-1',
        quantity: null,
        prorationDate: PREVIEW.prorationDate,
        previewToken: PREVIEW.previewToken,
        sequenceAtPreview: PREVIEW.sequenceAtPreview,
      }),
    })
    expect(toast).toHaveBeenCalledTimes(1)
    expect(toast.mock.calls[0][0].detail.message).toContain(
      `#${SUBMITTED.sequence} to SUB-1. Correlation id: ${SUBMITTED.correlationId}.`,
    )
    expect(close).toHaveBeenCalledTimes(1)
  })

  it('disables preview and confirm while a request is pending', async () => {
    let resolve
    previewAmendment.mockReturnValue(new Promise((r) => (resolve = r)))
    const element = await mount()

    button(element, 'preview-button').click()
    await flushPromises()

    expect(button(element, 'preview-button').disabled).toBe(true)
    expect(button(element, 'submit').disabled).toBe(true)
    expect($(element, 'lightning-spinner')).not.toBeNull()
    assertAccessible(element)
    resolve(PREVIEW)
    await flushPromises()
    expect(button(element, 'preview-button').disabled).toBe(false)
  })

  it('drops the preview when the change is edited', async () => {
    previewAmendment.mockResolvedValue(PREVIEW)
    const element = await mount()
    button(element, 'preview-button').click()
    await flushPromises()

    change(element, 'quantity', '15')
    await flushPromises()

    expect($(element, '.preview')).toBeNull()
    expect(button(element, 'submit').disabled).toBe(true)
  })

  it("shows the worker's reason when the preview is refused", async () => {
    previewAmendment.mockRejectedValue(
      auraError('Price key gold is not in the catalog. (reference req-3)'),
    )
    const element = await mount()

    button(element, 'preview-button').click()
    await flushPromises()

    expect($(element, '.form-error').textContent.trim()).toBe(
      'Price key gold is not in the catalog. (reference req-3)',
    )
    expect(button(element, 'submit').disabled).toBe(true)
    assertAccessible(element)
  })

  it('confirms a new subscription under the key its preview made', async () => {
    previewAmendment.mockResolvedValue({ ...PREVIEW, subscriptionKey: 'SUB-NEW-1' })
    submitAmendment.mockResolvedValue({ ...SUBMITTED, subscriptionKey: 'SUB-NEW-1', sequence: 1 })
    const element = await mount()
    change(element, 'action', 'create')
    await flushPromises()
    change(element, 'priceKey', 'pro_monthly')
    change(element, 'quantity', '3')

    button(element, 'preview-button').click()
    await flushPromises()
    button(element, 'submit').click()
    await flushPromises()

    expect(previewAmendment.mock.calls[0][0].request.subscriptionKey).toBeNull()
    expect(submitAmendment).toHaveBeenCalledWith({
      request: expect.objectContaining({
        action: 'create',
        subscriptionKey: 'SUB-NEW-1',
        priceKey: 'pro_monthly',
        quantity: 3,
      }),
    })
  })

  it('checks the form before calling the server', async () => {
    const element = await mount()
    change(element, 'action', 'create')
    await flushPromises()

    button(element, 'preview-button').click()
    await flushPromises()

    expect(previewAmendment).not.toHaveBeenCalled()
    expect($(element, '.form-error').textContent.trim()).toBe('Choose a price.')
    assertAccessible(element)
  })

  it('keeps the form open with the error when submit fails', async () => {
    previewAmendment.mockResolvedValue(PREVIEW)
    submitAmendment.mockRejectedValue(
      auraError('This subscription changed while you were editing it. Reload and try again.'),
    )
    const element = await mount()
    const close = jest.fn()
    element.addEventListener('close', close)
    button(element, 'preview-button').click()
    await flushPromises()

    button(element, 'submit').click()
    await flushPromises()

    expect($(element, '.form-error').textContent).toContain('changed while you were editing')
    expect(close).not.toHaveBeenCalled()
    expect($(element, '.preview')).toBeNull()
    expect(button(element, 'submit').disabled).toBe(true)
    assertAccessible(element)
  })

  it('shows when prices cannot be loaded', async () => {
    getCatalog.mockRejectedValue(
      auraError('Concord is not reachable right now. Try again in a minute.'),
    )
    const element = await mount()

    expect($(element, '.catalog-error').textContent).toContain('not reachable')
    assertAccessible(element)
  })

  it('closes on cancel', async () => {
    const element = await mount()
    const close = jest.fn()
    element.addEventListener('close', close)

    button(element, 'cancel').click()

    expect(close).toHaveBeenCalledTimes(1)
  })
})
