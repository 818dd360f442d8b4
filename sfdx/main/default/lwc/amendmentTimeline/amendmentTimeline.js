import { LightningElement, api, wire } from 'lwc'
import { getRelatedListRecords } from 'lightning/uiRelatedListApi'
import { registerRefreshHandler, unregisterRefreshHandler } from 'lightning/refresh'
import { refreshApex } from '@salesforce/apex'
import LOCALE from '@salesforce/i18n/locale'
import { messageOf } from 'c/concordErrors'

const FALLBACK = 'Amendments could not be loaded.'

const PATH = ['received', 'billed', 'posted', 'applied']
const TERMINAL = {
  parked: 'Parked',
  rejected: 'Rejected',
  superseded: 'Superseded',
}
const LABELS = { received: 'Received', billed: 'Billed', posted: 'Posted', applied: 'Applied' }
const ACTIONS = {
  create: 'New subscription',
  change_quantity: 'Quantity change',
  change_price: 'Price change',
  cancel: 'Cancellation',
  renew: 'Renewal',
}

/**
 * What a rep reads for the worker's refusals of a previewed change; Error_Message__c (the
 * worker's own text) is visible only to the Concord_Admin group and wins where it shows.
 */
const REFUSALS = {
  preview_stale:
    'Another change to this subscription was billed after the preview. Preview the change again and confirm it.',
  preview_price_changed:
    'The price changed after the preview. Preview the change again and confirm it.',
  preview_expired: 'The preview was too old to bill. Preview the change again and confirm it.',
  preview_mismatch:
    'The change did not match its preview. Preview the change again and confirm it.',
}

/**
 * Where each of the Account's amendments got to, from its Subscription_Sync__c rows (one per
 * amendment, written by the worker): received → billed → posted → applied, or parked, rejected or
 * superseded with the error. Reads the Account's Subscription_Syncs related list through LDS, so
 * sharing and field-level security apply and the error message shows only to users who may read it.
 */
export default class AmendmentTimeline extends LightningElement {
  @api recordId
  /** How many of the latest amendments to show. */
  @api limit = 10

  syncsResult
  refreshHandlerId

  @wire(getRelatedListRecords, {
    parentRecordId: '$recordId',
    relatedListId: 'Subscription_Syncs__r',
    fields: [
      'Subscription_Sync__c.Subscription_Key__c',
      'Subscription_Sync__c.Sequence__c',
      'Subscription_Sync__c.Action__c',
      'Subscription_Sync__c.Status__c',
      'Subscription_Sync__c.Error_Code__c',
      'Subscription_Sync__c.Correlation_Id__c',
      'Subscription_Sync__c.Updated_At__c',
    ],
    optionalFields: ['Subscription_Sync__c.Error_Message__c'],
    sortBy: ['-Subscription_Sync__c.Updated_At__c'],
    pageSize: '$limit',
  })
  wiredSyncs(result) {
    this.syncsResult = result
  }

  connectedCallback() {
    // Financial Standing fires RefreshEvent when Concord says this Account changed.
    this.refreshHandlerId = registerRefreshHandler(this, this.refresh)
  }

  disconnectedCallback() {
    unregisterRefreshHandler(this.refreshHandlerId)
  }

  refresh() {
    return refreshApex(this.syncsResult).then(() => true)
  }

  handleRefreshClick() {
    this.refresh()
  }

  get loading() {
    return !this.syncsResult || (!this.syncsResult.data && !this.syncsResult.error)
  }

  get errorMessage() {
    return this.syncsResult && this.syncsResult.error
      ? messageOf(this.syncsResult.error, FALLBACK)
      : undefined
  }

  get amendments() {
    const records =
      (this.syncsResult && this.syncsResult.data && this.syncsResult.data.records) || []
    return records.map((record) => this.toAmendment(record))
  }

  get empty() {
    return !this.loading && !this.errorMessage && this.amendments.length === 0
  }

  get hasAmendments() {
    return this.amendments.length > 0
  }

  toAmendment(record) {
    const f = record.fields
    const value = (name) => (f[name] ? f[name].value : null)
    const status = value('Status__c')
    const reached = PATH.indexOf(status)
    const terminal = TERMINAL[status]
    const steps = PATH.map((step, i) => {
      // A stopped amendment was at least received; later steps did not happen.
      const done = terminal ? i === 0 : i <= reached
      const current = !terminal && i === reached
      return {
        key: step,
        label: LABELS[step],
        className: `slds-path__item ${current ? 'slds-is-current slds-is-active' : done ? 'slds-is-complete' : 'slds-is-incomplete'}`,
        assistive: current ? 'Current step' : done ? 'Done' : 'Not reached',
        ariaCurrent: current ? 'step' : null,
      }
    })
    if (terminal) {
      steps.push({
        key: status,
        label: terminal,
        className: 'slds-path__item slds-is-current slds-is-lost',
        assistive: 'Stopped',
        ariaCurrent: 'step',
      })
    }
    const updatedAt = value('Updated_At__c')
    return {
      id: record.id,
      title: `${ACTIONS[value('Action__c')] || value('Action__c')} · ${value('Subscription_Key__c')} #${value('Sequence__c')}`,
      status,
      steps,
      stopped: Boolean(terminal),
      errorCode: value('Error_Code__c'),
      errorMessage: value('Error_Message__c') || REFUSALS[value('Error_Code__c')] || '',
      hasError: Boolean(value('Error_Code__c') || value('Error_Message__c')),
      correlationId: value('Correlation_Id__c'),
      updatedAt: updatedAt ? new Date(updatedAt).toLocaleString(LOCALE) : '',
    }
  }
}
