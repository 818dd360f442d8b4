import { createElement } from 'lwc'
import ConcordActivateSubscription from 'c/concordActivateSubscription'
import { getRecord, notifyRecordUpdateAvailable } from 'lightning/uiRecordApi'
import activate from '@salesforce/apex/ConcordActivationController.activate'
import { assertAccessible, flushPromises } from '../../__tests__/utils/assertAccessible'

jest.mock(
  '@salesforce/customPermission/Concord_Activate_Subscriptions',
  () => ({ __esModule: true, default: true }),
  { virtual: true },
)
jest.mock('@salesforce/apex/ConcordActivationController.activate', () => ({ default: jest.fn() }), {
  virtual: true,
})

// The answer in ConcordActivationController.Outcome's shape (test/sfdx/lwc-apex-shapes.test.ts).
const REQUESTED = require('./data/activate.json')

const SUBSCRIPTION_ID = 'a04000000000001AAA'
const subscription = (rule, activatedAt = null) => ({
  apiName: 'Billing_Subscription__c',
  id: SUBSCRIPTION_ID,
  fields: { Activation_Rule__c: { value: rule }, Activated_At__c: { value: activatedAt } },
})
const auraError = (message) => ({ body: { message }, status: 500 })

async function mount(record) {
  const element = createElement('c-concord-activate-subscription', {
    is: ConcordActivateSubscription,
  })
  element.recordId = SUBSCRIPTION_ID
  document.body.appendChild(element)
  await flushPromises()
  getRecord.emit(record)
  await flushPromises()
  return element
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector)
const text = (element, selector) => $(element, selector).textContent.replace(/\s+/g, ' ').trim()

describe('c-concord-activate-subscription', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild)
    jest.clearAllMocks()
  })

  it('asks Concord to activate a manual subscription and shows the answer', async () => {
    activate.mockResolvedValue(REQUESTED)
    const element = await mount(subscription('manual'))
    await assertAccessible(element)

    $(element, 'lightning-button.activate').click()
    await flushPromises()

    expect(activate).toHaveBeenCalledWith({ subscriptionId: SUBSCRIPTION_ID })
    expect(text(element, '.activation-outcome')).toBe(REQUESTED.message)
    expect(notifyRecordUpdateAvailable).toHaveBeenCalledWith([{ recordId: SUBSCRIPTION_ID }])
    expect($(element, '.activation-error')).toBeNull()
    await assertAccessible(element)
  })

  it('shows when it was activated, with no button, once Concord says it already is', async () => {
    activate.mockResolvedValue({
      status: 'already_activated',
      message: 'This subscription is already activated.',
      activatedAt: '2030-01-02T03:04:05.000Z',
    })
    const element = await mount(subscription('manual'))

    $(element, 'lightning-button.activate').click()
    await flushPromises()

    expect(text(element, '.activation-outcome')).toBe('This subscription is already activated.')
    // 2030-01-02T03:04:05Z in America/Los_Angeles (jest's zone) is the evening before.
    expect(text(element, '.activation-time')).toBe('Activated Jan 1, 2030, 7:04 PM.')
    expect($(element, 'lightning-button.activate')).toBeNull()
    await assertAccessible(element)
  })

  it.each([
    [
      'not in billing',
      'Billing does not have this subscription yet. It can be activated once Concord has created it in billing; try again then.',
    ],
    ['not manual', 'This subscription is activated by its rule, on_create, not on request.'],
  ])("shows Concord's refusal (%s) and keeps the button", async (_case, message) => {
    activate.mockRejectedValue(auraError(message))
    const element = await mount(subscription('manual'))

    $(element, 'lightning-button.activate').click()
    await flushPromises()

    expect(text(element, '.activation-error')).toBe(message)
    expect($(element, '.activation-outcome')).toBeNull()
    expect($(element, 'lightning-button.activate').disabled).toBe(false)
    await assertAccessible(element)
  })

  it('offers no button for a subscription of another rule, and says which', async () => {
    const element = await mount(subscription('on_first_invoice_paid'))

    expect($(element, 'lightning-button.activate')).toBeNull()
    expect(text(element, '.activation-rule')).toBe(
      'Activates when its first invoice is paid, not on request.',
    )
    expect(activate).not.toHaveBeenCalled()
    await assertAccessible(element)
  })

  it('shows the activation time of an activated subscription, with no button', async () => {
    const element = await mount(subscription('manual', '2030-01-02T03:04:05.000Z'))

    expect($(element, 'lightning-button.activate')).toBeNull()
    expect(text(element, '.activation-time')).toBe('Activated Jan 1, 2030, 7:04 PM.')
    expect($(element, '.activation-rule')).toBeNull()
  })

  it('disables the button while Concord is asked', async () => {
    let resolve
    activate.mockReturnValue(new Promise((r) => (resolve = r)))
    const element = await mount(subscription('manual'))

    $(element, 'lightning-button.activate').click()
    await flushPromises()
    expect($(element, 'lightning-button.activate').disabled).toBe(true)

    resolve(REQUESTED)
    await flushPromises()
    expect(text(element, '.activation-outcome')).toBe(REQUESTED.message)
  })
})
