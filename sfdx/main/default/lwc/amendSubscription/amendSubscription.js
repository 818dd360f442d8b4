import { LightningElement, api, wire } from 'lwc'
import { CloseActionScreenEvent } from 'lightning/actions'
import { ShowToastEvent } from 'lightning/platformShowToastEvent'
import { getRelatedListRecords } from 'lightning/uiRelatedListApi'
import LOCALE from '@salesforce/i18n/locale'
import CURRENCY from '@salesforce/i18n/currency'
import TIME_ZONE from '@salesforce/i18n/timeZone'
import getCatalog from '@salesforce/apex/AmendmentController.getCatalog'
import previewAmendment from '@salesforce/apex/AmendmentController.previewAmendment'
import submitAmendment from '@salesforce/apex/AmendmentController.submitAmendment'
import { messageOf } from 'c/concordErrors'

const FALLBACK = 'Something went wrong. Try again.'

const ACTIONS = [
  { label: 'Change quantity', value: 'change_quantity' },
  { label: 'Change price', value: 'change_price' },
  { label: 'Cancel', value: 'cancel' },
  { label: 'Renew', value: 'renew' },
  { label: 'New subscription', value: 'create' },
]
const PRORATIONS = [
  { label: 'Prorate on the next invoice', value: 'create_prorations' },
  { label: 'Prorate and invoice now', value: 'always_invoice' },
  { label: 'No proration', value: 'none' },
]
const CANCEL_MODES = [
  { label: 'At the end of the period', value: 'at_period_end' },
  { label: 'Immediately', value: 'immediately' },
]

/** Stripe Tax's reasons that explain a tax of zero, in the words a rep tells a customer. */
const TAX_NOTES = [
  ['not_collecting', 'tax not collected here'],
  ['customer_exempt', 'customer is tax exempt'],
  ['reverse_charge', 'reverse charge: the customer accounts for the tax'],
]

/** Formats an amount in the currency's minor unit (Concord's money, as in shared/finance.ts). */
function formatMinor(amount, currency) {
  if (amount === null || amount === undefined) return '—'
  const formatter = new Intl.NumberFormat(LOCALE, {
    style: 'currency',
    currency: currency.toUpperCase(),
  })
  // The currency's own fraction digits say how many minor units make one: 2 for USD, 0 for JPY.
  return formatter.format(amount / 10 ** formatter.resolvedOptions().maximumFractionDigits)
}

/** A `YYYY-MM-DD` calendar date in the user's locale (the date itself, whatever the time zone). */
function formatDate(iso) {
  return new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${iso}T00:00:00Z`),
  )
}

/** Unix seconds as a date and time in the user's locale and Salesforce time zone. */
function formatInstant(seconds) {
  return new Intl.DateTimeFormat(LOCALE, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: TIME_ZONE,
  }).format(new Date(seconds * 1000))
}

/**
 * Quick action on the Account: choose a subscription change, see Concord's proration preview, and
 * confirm. Submit is possible only for the change that was previewed and never twice at once; it
 * sends the preview's proration date, token and sequence, so billing charges what the rep saw
 * or the change is refused with the reason.
 */
export default class AmendSubscription extends LightningElement {
  @api recordId

  action = 'change_quantity'
  subscriptionKey
  priceKey
  quantity
  effectiveDate
  proration = 'create_prorations'
  cancelMode = 'at_period_end'

  catalog = []
  catalogError
  subscriptionsResult
  preview
  error
  pending = false

  actionOptions = ACTIONS
  prorationOptions = PRORATIONS
  cancelModeOptions = CANCEL_MODES

  @wire(getRelatedListRecords, {
    parentRecordId: '$recordId',
    relatedListId: 'Subscriptions__r',
    fields: [
      'Billing_Subscription__c.Subscription_Key__c',
      'Billing_Subscription__c.Price_Key__c',
      'Billing_Subscription__c.Quantity__c',
      'Billing_Subscription__c.Status__c',
    ],
    pageSize: 50,
  })
  wiredSubscriptions(result) {
    this.subscriptionsResult = result
    const first = this.subscriptions[0]
    if (!this.subscriptionKey && first) this.selectSubscription(first.value)
  }

  connectedCallback() {
    this.loadCatalog()
  }

  async loadCatalog() {
    try {
      this.catalog = await getCatalog()
    } catch (e) {
      this.catalogError = messageOf(e, FALLBACK)
    }
  }

  get subscriptions() {
    const records =
      (this.subscriptionsResult &&
        this.subscriptionsResult.data &&
        this.subscriptionsResult.data.records) ||
      []
    return records
      .filter((r) => r.fields.Status__c.value !== 'canceled')
      .map((r) => ({
        label: `${r.fields.Subscription_Key__c.value} · ${r.fields.Price_Key__c.value || 'no price'} × ${r.fields.Quantity__c.value || 0}`,
        value: r.fields.Subscription_Key__c.value,
        priceKey: r.fields.Price_Key__c.value,
        quantity: r.fields.Quantity__c.value,
      }))
  }

  get priceOptions() {
    return (this.catalog || []).map((p) => {
      const currency = (p.currencyIso || CURRENCY).toUpperCase()
      const unit =
        p.unitAmount === null || p.unitAmount === undefined
          ? currency
          : `${formatMinor(p.unitAmount, currency)} per unit`
      return {
        label: `${p.productName || p.priceKey} (${p.interval || 'one-off'}, ${unit})`,
        value: p.priceKey,
      }
    })
  }

  get isCreate() {
    return this.action === 'create'
  }

  get showSubscription() {
    return !this.isCreate
  }

  get showPrice() {
    return this.isCreate || this.action === 'change_price'
  }

  get showQuantity() {
    return this.isCreate || this.action === 'change_quantity'
  }

  get showCancelMode() {
    return this.action === 'cancel'
  }

  get noSubscriptions() {
    return (
      this.showSubscription &&
      Boolean(this.subscriptionsResult && this.subscriptionsResult.data) &&
      this.subscriptions.length === 0
    )
  }

  get previewDisabled() {
    return this.pending
  }

  get submitDisabled() {
    return this.pending || !this.preview
  }

  get request() {
    const preview = this.preview || {}
    return {
      accountId: this.recordId,
      action: this.action,
      // A create's key is made by the preview; the confirm must name the same subscription.
      subscriptionKey: this.showSubscription
        ? this.subscriptionKey
        : preview.subscriptionKey || null,
      priceKey: this.showPrice ? this.priceKey : null,
      quantity: this.showQuantity ? this.quantity : null,
      effectiveDate: this.effectiveDate || null,
      proration: this.proration,
      cancelMode: this.showCancelMode ? this.cancelMode : null,
      // What the preview was computed from, so billing applies exactly what the rep saw.
      prorationDate: preview.prorationDate || null,
      previewToken: preview.previewToken || null,
      sequenceAtPreview: preview.sequenceAtPreview === undefined ? null : preview.sequenceAtPreview,
    }
  }

  get previewLines() {
    if (!this.preview) return []
    return (this.preview.lines || []).map((line, i) => ({
      key: `line-${i}`,
      description: line.description,
      period:
        line.periodStart && line.periodEnd
          ? `${formatDate(line.periodStart)} – ${formatDate(line.periodEnd)}`
          : '',
      amount: this.format(line.amount),
    }))
  }

  /** The tax in the total, apart, with what billing said about it; null when none was computed. */
  get previewTax() {
    if (!this.preview || this.preview.tax === null || this.preview.tax === undefined) return null
    const reasons = this.preview.taxReasons || []
    const notes = TAX_NOTES.filter(([reason]) => reasons.includes(reason)).map(([, note]) => note)
    return { amount: this.format(this.preview.tax), note: notes.join('; ') }
  }

  get previewTotal() {
    return this.preview ? this.format(this.preview.total) : ''
  }

  get previewPricedAt() {
    return this.preview && this.preview.prorationDate
      ? formatInstant(this.preview.prorationDate)
      : ''
  }

  get previewDueNow() {
    return this.preview ? this.format(this.preview.amountDueNow) : ''
  }

  format(amount) {
    return formatMinor(amount, (this.preview && this.preview.currencyIso) || CURRENCY)
  }

  selectSubscription(key) {
    this.subscriptionKey = key
    const chosen = this.subscriptions.find((s) => s.value === key)
    if (chosen) {
      this.priceKey = chosen.priceKey
      this.quantity = chosen.quantity
    }
  }

  handleChange(event) {
    const field = event.target.dataset.field
    const value = event.detail.value
    if (field === 'action') {
      this.action = value
      // A new subscription starts blank; any other change starts from the chosen subscription.
      if (value === 'create') {
        this.priceKey = undefined
        this.quantity = undefined
      } else if (this.subscriptionKey) {
        this.selectSubscription(this.subscriptionKey)
      }
    } else if (field === 'subscriptionKey') {
      this.selectSubscription(value)
    } else if (field === 'quantity') {
      this.quantity = value === '' || value === null || value === undefined ? null : Number(value)
    } else {
      this[field] = value
    }
    // A preview belongs to exactly one request: any edit needs a new one before submit.
    this.preview = undefined
    this.error = undefined
  }

  /** Client-side checks mirroring AmendmentPublisher's, so a rep gets an answer without a round trip. */
  validationError() {
    const r = this.request
    if (this.showSubscription && !r.subscriptionKey) return 'Choose the subscription to change.'
    if (this.showPrice && !r.priceKey) return 'Choose a price.'
    if (this.showQuantity && !(Number.isInteger(r.quantity) && r.quantity >= 1))
      return 'Enter a quantity of at least 1.'
    return undefined
  }

  async handlePreview() {
    this.template
      .querySelectorAll('lightning-input, lightning-combobox, lightning-radio-group')
      .forEach((el) => el.reportValidity())
    const invalid = this.validationError()
    if (invalid) {
      this.error = invalid
      return
    }
    this.pending = true
    this.error = undefined
    try {
      this.preview = await previewAmendment({ request: this.request })
    } catch (e) {
      this.preview = undefined
      this.error = messageOf(e, FALLBACK)
    } finally {
      this.pending = false
    }
  }

  async handleSubmit() {
    if (this.submitDisabled) return
    this.pending = true
    this.error = undefined
    try {
      const result = await submitAmendment({ request: this.request })
      this.dispatchEvent(
        new ShowToastEvent({
          title: 'Change requested',
          message: `Concord is applying change #${result.sequence} to ${result.subscriptionKey}. Correlation id: ${result.correlationId}.`,
          variant: 'success',
        }),
      )
      this.dispatchEvent(new CloseActionScreenEvent())
    } catch (e) {
      // A refused submit (for example a preview another change overtook) needs a fresh preview.
      this.preview = undefined
      this.error = messageOf(e, FALLBACK)
    } finally {
      this.pending = false
    }
  }

  handleCancel() {
    this.dispatchEvent(new CloseActionScreenEvent())
  }
}
