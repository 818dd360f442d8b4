import { LightningElement, api, wire } from 'lwc'
import { getRecord, getFieldValue } from 'lightning/uiRecordApi'
import { getRelatedListRecords } from 'lightning/uiRelatedListApi'
import LOCALE from '@salesforce/i18n/locale'
import canRequest from '@salesforce/customPermission/Concord_Request_Credits'
import CURRENCY from '@salesforce/schema/Billing_Invoice__c.Currency_Iso__c'
import STATUS from '@salesforce/schema/Billing_Invoice__c.Status__c'
import requestCredit from '@salesforce/apex/ConcordMoneyController.requestCredit'
import requestRefund from '@salesforce/apex/ConcordMoneyController.requestRefund'
import getRequest from '@salesforce/apex/ConcordMoneyController.getRequest'
import { messageOf } from 'c/concordErrors'

const FALLBACK = 'Something went wrong. Try again.'

const CREDIT_REASONS = [
  { label: 'Order change', value: 'order_change' },
  { label: 'Product unsatisfactory', value: 'product_unsatisfactory' },
  { label: 'Duplicate', value: 'duplicate' },
  { label: 'Fraudulent', value: 'fraudulent' },
]
const REFUND_REASONS = [
  { label: 'Requested by customer', value: 'requested_by_customer' },
  { label: 'Duplicate', value: 'duplicate' },
  { label: 'Fraudulent', value: 'fraudulent' },
]
const KINDS = [
  { label: 'Credit this invoice', value: 'credit' },
  { label: 'Refund a payment', value: 'refund' },
]
/** The approval desk's states, as a user reads them; every end but `executed` is a refusal. */
const STATES = {
  pending: { label: 'Pending approval', className: 'slds-badge slds-theme_warning' },
  approved: { label: 'Approved', className: 'slds-badge slds-theme_info' },
  executed: { label: 'Executed', className: 'slds-badge slds-theme_success' },
  rejected: { label: 'Refused by the approver', className: 'slds-badge slds-theme_error' },
  expired: { label: 'Refused: it expired unapproved', className: 'slds-badge slds-theme_error' },
  superseded: { label: 'Refused at execution', className: 'slds-badge slds-theme_error' },
  refused: { label: 'Refused', className: 'slds-badge slds-theme_error' },
}
const PAYMENT_FIELDS = [
  'Billing_Payment__c.Id',
  'Billing_Payment__c.Name',
  'Billing_Payment__c.Amount__c',
  'Billing_Payment__c.Amount_Refunded__c',
  'Billing_Payment__c.Status__c',
]

/**
 * On the Billing Invoice page, for users with the Concord_Request_Credits custom permission: ask
 * Concord for a credit note on this invoice (an amount and a reason) or a refund of one of its
 * payments. Concord answers with the dry run (the Stripe and NetSuite records it would make) and
 * keeps the request until a second person approves it; the component shows the request's state
 * and, when Concord refuses (more than is creditable or refundable, a currency mismatch, a failed
 * payment), its message.
 */
export default class ConcordMoneyRequest extends LightningElement {
  @api recordId

  kind = 'credit'
  amount
  reason = 'order_change'
  memo
  paymentId
  request
  error
  busy = false

  invoice
  payments = []

  @wire(getRecord, { recordId: '$recordId', fields: [CURRENCY, STATUS] })
  wiredInvoice({ data }) {
    if (data) this.invoice = data
  }

  @wire(getRelatedListRecords, {
    parentRecordId: '$recordId',
    relatedListId: 'Payments__r',
    fields: PAYMENT_FIELDS,
  })
  wiredPayments({ data }) {
    if (!data) return
    this.payments = data.records.map((r) => ({
      label: `${r.fields.Name.value} · ${this.format(r.fields.Amount__c.value)} · ${r.fields.Status__c.value}`,
      value: r.id,
    }))
    if (!this.paymentId && this.payments.length > 0) this.paymentId = this.payments[0].value
  }

  get permitted() {
    return Boolean(canRequest)
  }
  get kindOptions() {
    return KINDS
  }
  get isRefund() {
    return this.kind === 'refund'
  }
  get reasonOptions() {
    return this.isRefund ? REFUND_REASONS : CREDIT_REASONS
  }
  get currency() {
    return this.invoice ? getFieldValue(this.invoice, CURRENCY) : undefined
  }
  get amountLabel() {
    const suffix = this.isRefund ? ', empty for all that is left' : ''
    return `Amount${this.currency ? ` (${this.currency})` : ''}${suffix}`
  }
  get askRequiresAmount() {
    return !this.isRefund
  }
  get noPayments() {
    return this.isRefund && this.payments.length === 0
  }
  get askDisabled() {
    if (this.busy || !this.reason) return true
    return this.isRefund ? !this.paymentId : !(Number(this.amount) > 0)
  }
  get stateBadge() {
    return this.request ? (STATES[this.request.state] ?? STATES.refused) : undefined
  }
  get requestAmount() {
    return this.request ? this.format(this.request.amount, this.request.currencyIso) : ''
  }
  get canCheck() {
    return Boolean(this.request && this.request.requestId) && !this.busy
  }
  get checkDisabled() {
    return !this.canCheck
  }

  format(amount, currency = this.currency) {
    if (amount === null || amount === undefined) return '—'
    if (!currency) return String(amount)
    return new Intl.NumberFormat(LOCALE, { style: 'currency', currency }).format(amount)
  }

  handleChange(event) {
    const field = event.target.dataset.field
    this[field] = event.detail.value
    if (field === 'kind') {
      this.reason = this.reasonOptions[0].value
      this.amount = undefined
    }
    this.error = undefined
  }

  async handleAsk() {
    const amount = this.amount === undefined || this.amount === '' ? null : Number(this.amount)
    const memo = this.memo || null
    const reason = this.reason
    if (this.isRefund) {
      await this.run(() => requestRefund({ paymentId: this.paymentId, amount, reason, memo }))
    } else {
      await this.run(() => requestCredit({ invoiceId: this.recordId, amount, reason, memo }))
    }
  }

  async handleCheck() {
    await this.run(() => getRequest({ requestId: this.request.requestId }))
  }

  async run(call) {
    this.busy = true
    this.error = undefined
    try {
      this.request = await call()
    } catch (e) {
      this.error = messageOf(e, FALLBACK)
    } finally {
      this.busy = false
    }
  }
}
