import { createElement } from 'lwc'
import ConcordMoneyRequest from 'c/concordMoneyRequest'
import requestCredit from '@salesforce/apex/ConcordMoneyController.requestCredit'
import { assertAccessible, flushPromises } from '../../__tests__/utils/assertAccessible'

// The custom permission is read once, when the module loads: this file is the user without it.
jest.mock(
  '@salesforce/customPermission/Concord_Request_Credits',
  () => ({ __esModule: true, default: false }),
  { virtual: true },
)
jest.mock('@salesforce/apex/ConcordMoneyController.requestCredit', () => ({ default: jest.fn() }), {
  virtual: true,
})

describe('c-concord-money-request without Concord_Request_Credits', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild)
    jest.clearAllMocks()
  })

  it('shows nothing and asks nothing', async () => {
    const element = createElement('c-concord-money-request', { is: ConcordMoneyRequest })
    element.recordId = 'a02000000000001AAA'
    document.body.appendChild(element)
    await flushPromises()

    expect(element.shadowRoot.querySelector('lightning-card')).toBeNull()
    expect(element.shadowRoot.querySelector('lightning-button')).toBeNull()
    expect(requestCredit).not.toHaveBeenCalled()
    await assertAccessible(element)
  })
})
