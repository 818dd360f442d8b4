import { createElement } from 'lwc'
import ConcordActivateSubscription from 'c/concordActivateSubscription'
import activate from '@salesforce/apex/ConcordActivationController.activate'
import { assertAccessible, flushPromises } from '../../__tests__/utils/assertAccessible'

// The custom permission is read once, when the module loads: this file is the user without it.
jest.mock(
  '@salesforce/customPermission/Concord_Activate_Subscriptions',
  () => ({ __esModule: true, default: false }),
  { virtual: true },
)
jest.mock('@salesforce/apex/ConcordActivationController.activate', () => ({ default: jest.fn() }), {
  virtual: true,
})

describe('c-concord-activate-subscription without Concord_Activate_Subscriptions', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild)
    jest.clearAllMocks()
  })

  it('shows nothing and asks nothing', async () => {
    const element = createElement('c-concord-activate-subscription', {
      is: ConcordActivateSubscription,
    })
    element.recordId = 'a04000000000001AAA'
    document.body.appendChild(element)
    await flushPromises()

    expect(element.shadowRoot.querySelector('lightning-card')).toBeNull()
    expect(element.shadowRoot.querySelector('lightning-button')).toBeNull()
    expect(activate).not.toHaveBeenCalled()
    await assertAccessible(element)
  })
})
