import { LightningElement, api, wire } from 'lwc'
import { getRecord, getFieldValue, notifyRecordUpdateAvailable } from 'lightning/uiRecordApi'
import LOCALE from '@salesforce/i18n/locale'
import TIME_ZONE from '@salesforce/i18n/timeZone'
import canActivate from '@salesforce/customPermission/Concord_Activate_Subscriptions'
import RULE from '@salesforce/schema/Billing_Subscription__c.Activation_Rule__c'
import ACTIVATED_AT from '@salesforce/schema/Billing_Subscription__c.Activated_At__c'
import activate from '@salesforce/apex/ConcordActivationController.activate'
import { messageOf } from 'c/concordErrors'

const RULES = {
  on_create: 'when its create is applied in billing and ERP',
  on_first_invoice_paid: 'when its first invoice is paid',
}

const FALLBACK = 'Something went wrong. Try again.'

function formatInstant(value) {
  return new Intl.DateTimeFormat(LOCALE, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: TIME_ZONE,
  }).format(new Date(value))
}

/**
 * On the Billing Subscription page, for users with the Concord_Activate_Subscriptions custom
 * permission: asks Concord to activate a subscription whose activation rule is `manual`, and says
 * what Concord answered (requested, already activated) or why it refused (billing does not have the
 * subscription yet; its rule is not manual). Another rule, or a subscription already activated,
 * shows as text with no button.
 */
export default class ConcordActivateSubscription extends LightningElement {
  @api recordId

  subscription
  outcome
  error
  busy = false

  @wire(getRecord, { recordId: '$recordId', fields: [RULE, ACTIVATED_AT] })
  wiredSubscription({ data, error }) {
    if (data) this.subscription = data
    if (error) this.error = messageOf(error, FALLBACK)
  }

  get permitted() {
    return Boolean(canActivate)
  }
  get rule() {
    return this.subscription ? getFieldValue(this.subscription, RULE) : undefined
  }
  get activatedAt() {
    const at = this.subscription ? getFieldValue(this.subscription, ACTIVATED_AT) : undefined
    return at || (this.outcome && this.outcome.activatedAt) || undefined
  }
  get activatedText() {
    return this.activatedAt ? `Activated ${formatInstant(this.activatedAt)}.` : ''
  }
  get ruleText() {
    if (!this.subscription || this.activatedAt || this.rule === 'manual') return ''
    return this.rule
      ? `Activates ${RULES[this.rule] || `by its rule (${this.rule})`}, not on request.`
      : 'Concord has no activation rule for this subscription.'
  }
  get canAsk() {
    return this.rule === 'manual' && !this.activatedAt
  }
  get askDisabled() {
    return this.busy
  }

  async handleActivate() {
    this.busy = true
    this.error = undefined
    try {
      this.outcome = await activate({ subscriptionId: this.recordId })
      // The mirror gets Activated_At__c from Concord shortly; let the page read it again then.
      await notifyRecordUpdateAvailable([{ recordId: this.recordId }])
    } catch (e) {
      this.outcome = undefined
      this.error = messageOf(e, FALLBACK)
    } finally {
      this.busy = false
    }
  }
}
