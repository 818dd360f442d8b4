/** Stripe objects shared by every resource: lists, customers, the catalog, events. */

export type Metadata = Record<string, string>

export type Interval = 'day' | 'week' | 'month' | 'year'

export interface StripeList<T> {
  object: 'list'
  data: T[]
  has_more: boolean
  url: string
}

export interface Customer {
  id: string
  object: 'customer'
  address: unknown
  balance: number
  created: number
  currency: string | null
  default_source: string | null
  delinquent: boolean
  description: string | null
  email: string | null
  invoice_prefix: string
  invoice_settings: {
    custom_fields: null
    default_payment_method: string | null
    footer: null
    rendering_options: null
  }
  livemode: false
  metadata: Metadata
  name: string | null
  next_invoice_sequence: number
  phone: string | null
  preferred_locales: string[]
  shipping: unknown
  tax_exempt: 'none' | 'exempt' | 'reverse'
  test_clock: null
  /** Only with `expand[]=tax`. */
  tax?: CustomerTax
  /** Only with `expand[]=tax_ids`. */
  tax_ids?: StripeList<TaxId>
}

/** The customer's `tax` hash: where Stripe Tax places it and whether it can tax it there. */
export interface CustomerTax {
  automatic_tax: 'supported' | 'not_collecting' | 'unrecognized_location' | 'failed'
  ip_address: string | null
  location: { country: string; source: 'billing_address'; state: string | null } | null
  provider: 'stripe'
}

export interface TaxId {
  id: string
  object: 'tax_id'
  country: string | null
  created: number
  customer: string | null
  customer_account: null
  livemode: false
  owner: { customer: string; customer_account: null; type: 'customer' }
  type: string
  value: string
  verification: {
    status: 'pending' | 'verified' | 'unverified' | 'unavailable'
    verified_address: null
    verified_name: null
  } | null
}

/** One tax of a line, in the shape of `line_item.taxes[]` and `invoice.total_taxes[]`. */
export interface TaxAmount {
  amount: number
  tax_behavior: 'exclusive'
  tax_rate_details: { tax_rate: string }
  taxability_reason: 'standard_rated' | 'customer_exempt' | 'reverse_charge'
  taxable_amount: number
  type: 'tax_rate_details'
}

export interface TaxRate {
  id: string
  object: 'tax_rate'
  active: boolean
  country: string | null
  created: number
  description: string | null
  display_name: string
  effective_percentage: number | null
  flat_amount: null
  inclusive: boolean
  jurisdiction: string | null
  jurisdiction_level: 'country' | 'state' | null
  livemode: false
  metadata: Metadata | null
  percentage: number
  rate_type: 'percentage' | null
  state: string | null
  tax_type: string | null
}

export interface Product {
  id: string
  object: 'product'
  active: boolean
  created: number
  default_price: string | null
  description: string | null
  images: string[]
  livemode: false
  marketing_features: unknown[]
  metadata: Metadata
  name: string
  package_dimensions: null
  shippable: boolean | null
  statement_descriptor: string | null
  tax_code: string | null
  tax_details: null
  type: 'service'
  unit_label: string | null
  updated: number
  url: string | null
}

export interface Price {
  id: string
  object: 'price'
  active: boolean
  billing_scheme: 'per_unit'
  created: number
  currency: string
  custom_unit_amount: null
  livemode: false
  lookup_key: string | null
  metadata: Metadata
  nickname: string | null
  product: string
  recurring: {
    interval: Interval
    interval_count: number
    meter: null
    usage_type: 'licensed'
    trial_period_days: null
  } | null
  tax_behavior: 'unspecified' | 'inclusive' | 'exclusive'
  tiers_mode: null
  transform_quantity: null
  type: 'recurring' | 'one_time'
  unit_amount: number
  unit_amount_decimal: string
}

export interface StripeEvent {
  id: string
  object: 'event'
  api_version: string
  created: number
  data: { object: unknown; previous_attributes?: Record<string, unknown> }
  livemode: false
  pending_webhooks: number
  request: { id: string | null; idempotency_key: string | null }
  type: string
}

export interface WebhookEndpoint {
  id: string
  object: 'webhook_endpoint'
  api_version: string | null
  application: null
  created: number
  description: string | null
  enabled_events: string[]
  livemode: false
  metadata: Metadata
  secret?: string
  status: 'enabled' | 'disabled'
  url: string
}
