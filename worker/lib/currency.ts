/**
 * Money in Concord is an integer in the currency's minor unit, as billing keeps it; Salesforce
 * and NetSuite take decimal amounts in major units.
 */

/** ISO 4217 currencies with no minor unit, and with three decimals (Stripe's lists). */
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
])
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND'])

/** How many decimals the currency's minor unit has (0, 2 or 3). */
export function minorDigits(currency: string): number {
  const code = currency.toUpperCase()
  return ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2
}

/** Minor units → the decimal a Salesforce Currency field or a NetSuite `rate` takes: 1250 USD → 12.5. */
export function toMajor(minor: number, currency: string): number {
  return minor / 10 ** minorDigits(currency)
}
