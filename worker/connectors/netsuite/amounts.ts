/**
 * Money from NetSuite (decimal amounts in major units; SuiteQL prints them as strings) into
 * Concord's integers in the currency's minor unit (`lib/currency.ts` for the other way).
 */
import { minorDigits } from '../../lib/currency.ts'

/**
 * A decimal string from NetSuite (`"700"`, `"12.5"`, `"-0.35"`, `".5"`) → minor units, exactly:
 * digits are shifted as text, never through a float multiplication, and rounded half away from
 * zero past the currency's precision. Undefined when the text is not a number.
 */
export function toMinor(decimal: string | undefined, currency: string): number | undefined {
  if (decimal === undefined || decimal.trim() === '') return undefined
  const digits = minorDigits(currency)
  const m = /^\s*([+-])?(\d*)(?:\.(\d*))?\s*$/.exec(decimal)
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
    const n = Number(decimal)
    return Number.isFinite(n) ? Math.round(n * 10 ** digits) : undefined
  }
  const sign = m[1] === '-' ? -1 : 1
  const fraction = (m[3] ?? '').padEnd(digits + 1, '0')
  const whole = Number(`${m[2] || '0'}${fraction.slice(0, digits)}`)
  const roundUp = Number(fraction[digits]) >= 5 ? 1 : 0
  const value = sign * (whole + roundUp)
  return value === 0 ? 0 : value
}
