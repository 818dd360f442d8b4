import { createElement } from 'lwc'
import ConcordSetup from 'c/concordSetup'
import checkConnection from '@salesforce/apex/ConcordSetupController.checkConnection'
import { assertAccessible, flushPromises } from '../../__tests__/utils/assertAccessible'

jest.mock(
  '@salesforce/apex/ConcordSetupController.checkConnection',
  () => ({ default: jest.fn() }),
  { virtual: true },
)

// The answer in ConcordSetupController.SetupStatus's shape (test/sfdx/lwc-apex-shapes.test.ts).
const OK = require('./data/checkConnection.json')

/** A state other than ok, as the controller answers it: no worker figures, the relay's still read. */
function notOk(overrides) {
  return { ...OK, worker: null, ...overrides }
}

function mount() {
  const element = createElement('c-concord-setup', { is: ConcordSetup })
  document.body.appendChild(element)
  return element
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector)
const $$ = (element, selector) => [...element.shadowRoot.querySelectorAll(selector)]

describe('c-concord-setup', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild)
    jest.clearAllMocks()
  })

  it('shows a spinner while the signed call runs', async () => {
    checkConnection.mockReturnValue(new Promise(() => {}))
    const element = mount()
    await flushPromises()

    expect($(element, 'lightning-spinner')).not.toBeNull()
    expect($(element, '.test-connection').disabled).toBe(true)
    assertAccessible(element)
  })

  it('shows the connection, the catch-up, the worker figures, the relay and the last errors', async () => {
    checkConnection.mockResolvedValue(OK)
    const element = mount()
    await flushPromises()

    expect(checkConnection).toHaveBeenCalledTimes(1)
    expect($(element, '.connection-title').textContent).toBe('Connected')
    expect($(element, '.connection').className).toContain('slds-theme_success')
    expect($(element, '.health').textContent).toBe('Failing')
    expect($(element, '.catch-up-success').value).toBe('2030-01-01T06:00:00.000Z')
    expect($(element, '.cursor-age').textContent).toBe('6 h (Salesforce keeps events 72 h)')
    expect($(element, '.failures').textContent).toBe('3')
    expect($(element, '.stale')).toBeNull()
    expect($(element, '.figures').textContent).toContain('Writes pending4')
    expect($(element, '.figures').textContent).toContain('Quarantined inputs5')
    expect($(element, '.relay-success').value).toBe('2030-01-01T11:30:00.000Z')
    expect($(element, '.relay-failing').textContent).toBe('1')
    expect($(element, '.relay-failure').textContent).toContain('DELIVERY_FAILED')
    const errors = $$(element, '.errors li').map((li) => li.textContent)
    expect(errors).toHaveLength(2)
    expect(errors[0]).toContain('CometD catch-up · INVALID_SESSION_ID')
    expect(errors[1]).toContain('Salesforce writer · FIELD_CUSTOM_VALIDATION_EXCEPTION')
    assertAccessible(element)
  })

  it('warns when the catch-up has not succeeded within the 72-hour retention', async () => {
    const worker = { ...OK.worker, catchUp: { ...OK.worker.catchUp, cursorAgeHours: 80 } }
    checkConnection.mockResolvedValue({ ...OK, worker })
    const element = mount()
    await flushPromises()

    expect($(element, '.cursor-age').textContent).toBe('80 h (Salesforce keeps events 72 h)')
    expect($(element, '.stale').textContent).toContain('event retention')
    assertAccessible(element)
  })

  it('explains a refused signature with the worker message and request id, and no figures', async () => {
    checkConnection.mockResolvedValue(
      notOk({
        state: 'refused',
        httpStatus: 401,
        errorCode: 'unauthorized',
        message: 'The request signature does not match.',
        requestId: 'req-401',
      }),
    )
    const element = mount()
    await flushPromises()

    expect($(element, '.connection-title').textContent).toBe('Signature refused')
    expect($(element, '.connection').className).toContain('slds-theme_error')
    expect($(element, '.connection-help').textContent).toContain('SigningSecret')
    expect($(element, '.connection-detail').textContent).toBe(
      'The request signature does not match. · HTTP 401 · unauthorized · request req-401',
    )
    expect($(element, '.catch-up')).toBeNull()
    expect($(element, '.relay-failing').textContent).toBe('1')
    assertAccessible(element)
  })

  it('explains an unreachable worker and tests again on demand', async () => {
    checkConnection.mockResolvedValue(
      notOk({
        state: 'unreachable',
        httpStatus: 0,
        errorCode: 'WORKER_UNREACHABLE',
        message: 'Concord is not reachable right now. Try again in a minute.',
      }),
    )
    const element = mount()
    await flushPromises()

    expect($(element, '.connection-title').textContent).toBe('Worker unreachable')
    expect($(element, '.connection-help').textContent).toContain('named credential URL')
    expect($(element, '.connection-detail').textContent).toBe(
      'Concord is not reachable right now. Try again in a minute. · WORKER_UNREACHABLE',
    )

    checkConnection.mockResolvedValue(OK)
    $(element, '.test-connection').click()
    await flushPromises()

    expect(checkConnection).toHaveBeenCalledTimes(2)
    expect($(element, '.connection-title').textContent).toBe('Connected')
    assertAccessible(element)
  })

  it('says what to ask for when the sync rows cannot be read', async () => {
    const relay = { ...OK.relay, readable: false, note: 'Ask for the Concord_Admin group.' }
    checkConnection.mockResolvedValue({ ...OK, relay })
    const element = mount()
    await flushPromises()

    expect($(element, '.relay')).toBeNull()
    expect($(element, '.relay-note').textContent).toBe('Ask for the Concord_Admin group.')
    assertAccessible(element)
  })

  it('shows the error when the check itself cannot run', async () => {
    checkConnection.mockRejectedValue({
      body: { message: 'You do not have access to the Apex class named ConcordSetupController.' },
    })
    const element = mount()
    await flushPromises()

    expect($(element, '.error').textContent).toContain('ConcordSetupController')
    expect($(element, '.connection')).toBeNull()
    assertAccessible(element)
  })
})
