import { createElement } from 'lwc'
import AmendmentTimeline from 'c/amendmentTimeline'
import { getRelatedListRecords } from 'lightning/uiRelatedListApi'
import { registerRefreshHandler, unregisterRefreshHandler } from 'lightning/refresh'
import { refreshApex } from '@salesforce/apex'
import { assertAccessible, flushPromises } from '../../__tests__/utils/assertAccessible'

jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), {
  virtual: true,
})

function sync(id, status, extra = {}) {
  const values = {
    Subscription_Key__c: 'SUB-1',
    Sequence__c: 4,
    Action__c: 'change_quantity',
    Status__c: status,
    Error_Code__c: null,
    Error_Message__c: null,
    Correlation_Id__c: `corr-${id}`,
    Updated_At__c: '2030-01-15T10:00:00.000Z',
    ...extra,
  }
  const fields = {}
  for (const [name, value] of Object.entries(values)) fields[name] = { value, displayValue: null }
  return { id, fields }
}

async function mount() {
  const element = createElement('c-amendment-timeline', { is: AmendmentTimeline })
  element.recordId = '001000000000001AAA'
  document.body.appendChild(element)
  await flushPromises()
  return element
}

const all = (element, selector) => Array.from(element.shadowRoot.querySelectorAll(selector))

describe('c-amendment-timeline', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild)
    jest.clearAllMocks()
  })

  it("reads the Account's Subscription_Syncs related list, newest first", async () => {
    await mount()

    const config = getRelatedListRecords.getLastConfig()
    expect(config.relatedListId).toBe('Subscription_Syncs__r')
    expect(config.parentRecordId).toBe('001000000000001AAA')
    expect(config.sortBy).toEqual(['-Subscription_Sync__c.Updated_At__c'])
    expect(config.optionalFields).toEqual(['Subscription_Sync__c.Error_Message__c'])
  })

  it('shows a spinner while loading', async () => {
    const element = await mount()

    expect(element.shadowRoot.querySelector('lightning-spinner')).not.toBeNull()
    assertAccessible(element)
  })

  it("shows each amendment's path up to where it got", async () => {
    const element = await mount()
    getRelatedListRecords.emit({
      records: [
        sync('a1', 'posted'),
        sync('a2', 'applied', { Action__c: 'create', Sequence__c: 1 }),
      ],
    })
    await flushPromises()

    const [posted, applied] = all(element, 'li.amendment')
    expect(posted.querySelector('.title').textContent).toBe('Quantity change · SUB-1 #4')
    expect(
      Array.from(posted.querySelectorAll('.slds-is-complete')).map((li) => li.textContent),
    ).toEqual(['Done:Received', 'Done:Billed'])
    const current = posted.querySelector('[aria-current="step"]')
    expect(current.textContent).toContain('Posted')
    expect(posted.querySelector('.slds-is-incomplete').textContent).toContain('Applied')
    expect(applied.querySelector('[aria-current="step"]').textContent).toContain('Applied')
    expect(applied.querySelector('.amendment-error')).toBeNull()
    assertAccessible(element)
  })

  it('shows a parked amendment with its error', async () => {
    const element = await mount()
    getRelatedListRecords.emit({
      records: [
        sync('a3', 'parked', {
          Error_Code__c: 'PRICE_NOT_IN_CATALOG',
          Error_Message__c: 'Price key gold is not in the catalog.',
        }),
      ],
    })
    await flushPromises()

    const parked = all(element, 'li.amendment')[0]
    expect(parked.querySelector('.slds-is-lost').textContent).toContain('Parked')
    expect(parked.querySelector('.amendment-error').textContent).toContain('PRICE_NOT_IN_CATALOG')
    expect(parked.querySelector('.amendment-error').textContent).toContain(
      'Price key gold is not in the catalog.',
    )
    assertAccessible(element)
  })

  it('shows a rejected amendment even when the error message is not readable', async () => {
    const element = await mount()
    const rejected = sync('a4', 'rejected', { Error_Code__c: 'VALIDATION' })
    delete rejected.fields.Error_Message__c
    getRelatedListRecords.emit({ records: [rejected] })
    await flushPromises()

    const row = all(element, 'li.amendment')[0]
    expect(row.querySelector('.slds-is-lost').textContent).toContain('Rejected')
    expect(row.querySelector('.amendment-error').textContent.trim()).toBe('VALIDATION')
    assertAccessible(element)
  })

  it('tells a rep why a previewed change was rejected when the message is not readable', async () => {
    const element = await mount()
    const rejected = sync('a5', 'rejected', { Error_Code__c: 'preview_stale' })
    delete rejected.fields.Error_Message__c
    getRelatedListRecords.emit({ records: [rejected] })
    await flushPromises()

    const row = all(element, 'li.amendment')[0]
    expect(row.querySelector('.slds-is-lost').textContent).toContain('Rejected')
    const error = row.querySelector('.amendment-error').textContent
    expect(error).toContain('preview_stale')
    expect(error).toContain('was billed after the preview. Preview the change again')
    assertAccessible(element)
  })

  it('shows an empty state', async () => {
    const element = await mount()
    getRelatedListRecords.emit({ records: [] })
    await flushPromises()

    expect(element.shadowRoot.querySelector('.empty')).not.toBeNull()
    assertAccessible(element)
  })

  it('shows an error', async () => {
    const element = await mount()
    getRelatedListRecords.error({ message: 'Insufficient access to Subscription Sync.' })
    await flushPromises()

    expect(element.shadowRoot.querySelector('.error').textContent).toBe(
      'Insufficient access to Subscription Sync.',
    )
    assertAccessible(element)
  })

  it('refreshes through the page refresh handler and the refresh button', async () => {
    const element = await mount()
    getRelatedListRecords.emit({ records: [sync('a1', 'received')] })
    await flushPromises()

    expect(registerRefreshHandler).toHaveBeenCalledWith(expect.anything(), expect.any(Function))
    const [component, handler] = registerRefreshHandler.mock.calls[0]
    await expect(handler.call(component)).resolves.toBe(true)
    element.shadowRoot.querySelector('lightning-button-icon').click()
    expect(refreshApex).toHaveBeenCalledTimes(2)

    document.body.removeChild(element)
    expect(unregisterRefreshHandler).toHaveBeenCalled()
  })
})
