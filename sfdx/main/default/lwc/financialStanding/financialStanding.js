import { LightningElement, api, wire } from 'lwc'
import { getRecord, getFieldValue, notifyRecordUpdateAvailable } from 'lightning/uiRecordApi'
import { getRelatedListRecords } from 'lightning/uiRelatedListApi'
import { subscribe, unsubscribe, onError, isEmpEnabled } from 'lightning/empApi'
import { RefreshEvent } from 'lightning/refresh'
import { refreshApex } from '@salesforce/apex'
import CURRENCY from '@salesforce/i18n/currency'
import LOCALE from '@salesforce/i18n/locale'
import STANDING from '@salesforce/schema/Account.Concord_Standing__c'
import BALANCE from '@salesforce/schema/Account.Concord_Balance__c'
import OVERDUE from '@salesforce/schema/Account.Concord_Overdue__c'
import AGING_CURRENT from '@salesforce/schema/Account.Concord_Aging_Current__c'
import AGING_1_30 from '@salesforce/schema/Account.Concord_Aging_1_30__c'
import AGING_31_60 from '@salesforce/schema/Account.Concord_Aging_31_60__c'
import AGING_61_90 from '@salesforce/schema/Account.Concord_Aging_61_90__c'
import AGING_90_PLUS from '@salesforce/schema/Account.Concord_Aging_90_Plus__c'
import DAYS_PAST_DUE from '@salesforce/schema/Account.Concord_Days_Past_Due__c'
import LAST_PAYMENT_DATE from '@salesforce/schema/Account.Concord_Last_Payment_Date__c'
import LAST_PAYMENT_AMOUNT from '@salesforce/schema/Account.Concord_Last_Payment_Amount__c'
import FAILED_PAYMENTS from '@salesforce/schema/Account.Concord_Failed_Payments__c'
import CREDIT_HOLD from '@salesforce/schema/Account.Concord_Credit_Hold__c'
import AS_OF from '@salesforce/schema/Account.Concord_As_Of__c'
import { REFRESH_CHANNEL, namesRecord } from 'c/concordRefresh'
import { messageOf } from 'c/concordErrors'

const FALLBACK = 'Financial data could not be loaded.'

export { REFRESH_CHANNEL }
/** Only in multi-currency orgs; elsewhere every amount is in the org's (the user's) currency. */
const ACCOUNT_CURRENCY = 'Account.CurrencyIsoCode'
const FIELDS = [
  STANDING,
  BALANCE,
  OVERDUE,
  AGING_CURRENT,
  AGING_1_30,
  AGING_31_60,
  AGING_61_90,
  AGING_90_PLUS,
  DAYS_PAST_DUE,
  LAST_PAYMENT_DATE,
  LAST_PAYMENT_AMOUNT,
  FAILED_PAYMENTS,
  CREDIT_HOLD,
  AS_OF,
]
const STANDINGS = {
  good: { label: 'Good standing', className: 'slds-theme_success' },
  watch: { label: 'Watch', className: 'slds-theme_warning' },
  at_risk: { label: 'At risk', className: 'slds-theme_error' },
  hold: { label: 'On hold', className: 'slds-theme_inverse' },
}
const AGING = [
  { key: 'current', label: 'Current', field: AGING_CURRENT },
  { key: 'd1_30', label: '1–30 days', field: AGING_1_30 },
  { key: 'd31_60', label: '31–60 days', field: AGING_31_60 },
  { key: 'd61_90', label: '61–90 days', field: AGING_61_90 },
  { key: 'd90_plus', label: '90+ days', field: AGING_90_PLUS },
]

/** A date-only value (`2026-03-31`) in the user's locale; the date is the same everywhere. */
function formatDay(value) {
  if (!value) return ''
  return new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${value}T00:00:00Z`),
  )
}

/**
 * Financial standing of an Account from Concord: standing badge, balance, overdue, aging bar, days
 * past due, last payment, credit hold, freshness, open invoices and recent payments, money in the
 * Account's currency and dates in the user's locale. Refreshes itself when the worker publishes a
 * Concord_Refresh__e hint naming this Account's bucket (never its id: see c/concordRefresh), by
 * re-reading through Lightning Data Service, so sharing decides what it shows.
 */
export default class FinancialStanding extends LightningElement {
  @api recordId
  /** Figures older than this many minutes get a stale warning. */
  @api staleAfterMinutes = 30

  record
  error
  invoicesResult
  paymentsResult
  subscription
  connected = false

  @wire(getRecord, { recordId: '$recordId', fields: FIELDS, optionalFields: [ACCOUNT_CURRENCY] })
  wiredRecord({ data, error }) {
    this.record = data
    this.error = error
  }

  @wire(getRelatedListRecords, {
    parentRecordId: '$recordId',
    relatedListId: 'Invoices__r',
    fields: [
      'Billing_Invoice__c.Number__c',
      'Billing_Invoice__c.Status__c',
      'Billing_Invoice__c.Due_Date__c',
      'Billing_Invoice__c.Amount_Remaining__c',
      'Billing_Invoice__c.Currency_Iso__c',
      'Billing_Invoice__c.Hosted_Url__c',
    ],
    where: '{ Status__c: { eq: "open" } }',
    sortBy: ['Billing_Invoice__c.Due_Date__c'],
    pageSize: 5,
  })
  wiredInvoices(result) {
    this.invoicesResult = result
  }

  @wire(getRelatedListRecords, {
    parentRecordId: '$recordId',
    relatedListId: 'Payments__r',
    fields: [
      'Billing_Payment__c.Paid_At__c',
      'Billing_Payment__c.Amount__c',
      'Billing_Payment__c.Currency_Iso__c',
      'Billing_Payment__c.Status__c',
      'Billing_Payment__c.Method__c',
      'Billing_Payment__c.Failure_Reason__c',
    ],
    sortBy: ['-Billing_Payment__c.Paid_At__c'],
    pageSize: 5,
  })
  wiredPayments(result) {
    this.paymentsResult = result
  }

  connectedCallback() {
    this.connected = true
    this.listenForRefresh()
  }

  disconnectedCallback() {
    this.connected = false
    if (this.subscription) {
      unsubscribe(this.subscription, () => {})
      this.subscription = undefined
    }
  }

  async listenForRefresh() {
    try {
      if (!(await isEmpEnabled())) return
      onError(() => {
        // empApi reconnects by itself; a missed hint only delays the refresh.
      })
      const subscription = await subscribe(REFRESH_CHANNEL, -1, (message) =>
        this.handleRefresh(message),
      )
      if (this.connected) {
        this.subscription = subscription
      } else {
        unsubscribe(subscription, () => {})
      }
    } catch {
      // No streaming (for example in the mobile app): the card still shows the last figures.
    }
  }

  handleRefresh(message) {
    if (!namesRecord(message, this.recordId)) return
    notifyRecordUpdateAvailable([{ recordId: this.recordId }])
    refreshApex(this.invoicesResult)
    refreshApex(this.paymentsResult)
    // Lets other components on the page (the amendment timeline) refresh too.
    this.dispatchEvent(new RefreshEvent())
  }

  value(field) {
    return getFieldValue(this.record, field)
  }

  /** The Account's currency: its CurrencyIsoCode in a multi-currency org, else the org's. */
  get currency() {
    return (this.record && getFieldValue(this.record, ACCOUNT_CURRENCY)) || CURRENCY
  }

  /** An amount in `currency` (a document's own), else in the Account's currency. */
  format(amount, currency) {
    if (amount === null || amount === undefined) return '—'
    return new Intl.NumberFormat(LOCALE, {
      style: 'currency',
      currency: (currency || this.currency).toUpperCase(),
    }).format(amount)
  }

  get loading() {
    return !this.record && !this.error
  }

  get errorMessage() {
    return this.error ? messageOf(this.error, FALLBACK) : undefined
  }

  get empty() {
    return Boolean(this.record) && !this.value(AS_OF)
  }

  get ready() {
    return Boolean(this.record) && Boolean(this.value(AS_OF))
  }

  get standing() {
    return STANDINGS[this.value(STANDING)] || { label: 'Unknown', className: '' }
  }

  get standingClass() {
    return `standing ${this.standing.className}`
  }

  get balance() {
    return this.format(this.value(BALANCE))
  }

  get overdue() {
    return this.format(this.value(OVERDUE))
  }

  get hasOverdue() {
    return Number(this.value(OVERDUE)) > 0
  }

  get daysPastDue() {
    return this.value(DAYS_PAST_DUE) || 0
  }

  get lastPayment() {
    const date = this.value(LAST_PAYMENT_DATE)
    if (!date) return 'None yet'
    return `${this.format(this.value(LAST_PAYMENT_AMOUNT))} on ${formatDay(date)}`
  }

  get failedPayments() {
    return this.value(FAILED_PAYMENTS) || 0
  }

  get creditHold() {
    return this.value(CREDIT_HOLD) === true
  }

  get asOf() {
    const value = this.value(AS_OF)
    return value ? new Date(value).toLocaleString(LOCALE) : ''
  }

  get stale() {
    const value = this.value(AS_OF)
    return (
      Boolean(value) &&
      Date.now() - new Date(value).getTime() > Number(this.staleAfterMinutes) * 60000
    )
  }

  get aging() {
    const amounts = AGING.map((bucket) => Number(this.value(bucket.field)) || 0)
    const total = amounts.reduce((sum, amount) => sum + amount, 0)
    return AGING.map((bucket, i) => ({
      key: bucket.key,
      label: bucket.label,
      amount: this.format(amounts[i]),
      className: `segment segment_${bucket.key}`,
      style: `width: ${total > 0 ? ((amounts[i] / total) * 100).toFixed(2) : 0}%`,
      visible: amounts[i] > 0,
    }))
  }

  get segments() {
    return this.aging.filter((bucket) => bucket.visible)
  }

  get hasAging() {
    return this.segments.length > 0
  }

  get agingLabel() {
    return `Aging: ${this.aging.map((bucket) => `${bucket.label} ${bucket.amount}`).join(', ')}`
  }

  get invoices() {
    const records =
      (this.invoicesResult && this.invoicesResult.data && this.invoicesResult.data.records) || []
    return records.map((r) => ({
      id: r.id,
      number: r.fields.Number__c.value || r.id,
      due: formatDay(r.fields.Due_Date__c.value),
      amount: this.format(r.fields.Amount_Remaining__c.value, r.fields.Currency_Iso__c.value),
      url: r.fields.Hosted_Url__c.value,
    }))
  }

  get invoicesError() {
    return this.invoicesResult && this.invoicesResult.error
      ? messageOf(this.invoicesResult.error, FALLBACK)
      : undefined
  }

  get payments() {
    const records =
      (this.paymentsResult && this.paymentsResult.data && this.paymentsResult.data.records) || []
    return records.map((r) => ({
      id: r.id,
      paidAt: r.fields.Paid_At__c.value
        ? new Date(r.fields.Paid_At__c.value).toLocaleDateString(LOCALE)
        : '—',
      amount: this.format(r.fields.Amount__c.value, r.fields.Currency_Iso__c.value),
      status: r.fields.Status__c.value,
      detail: r.fields.Failure_Reason__c.value || r.fields.Method__c.value || '',
      failed: r.fields.Status__c.value === 'failed',
    }))
  }

  get paymentsError() {
    return this.paymentsResult && this.paymentsResult.error
      ? messageOf(this.paymentsResult.error, FALLBACK)
      : undefined
  }

  get hasInvoices() {
    return this.invoices.length > 0
  }

  get hasPayments() {
    return this.payments.length > 0
  }
}
