/** A value Stripe's form encoding can carry: scalars, lists (`a[0]`) and hashes (`a[k]`). */
export type FormValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly FormValue[]
  | { readonly [key: string]: FormValue }
export type FormParams = Record<string, FormValue>

/**
 * Encodes parameters the way Stripe's v1 API reads them (`application/x-www-form-urlencoded`
 * with bracket nesting): `items[0][price]=p`, `metadata[k]=v`. `undefined` is left out; `null`
 * becomes an empty value, which is how Stripe unsets a field (`cancel_at=`). Key order follows
 * the object, so the same step always sends the same bytes under its idempotency key.
 * v1 takes form-encoded bodies only (https://docs.stripe.com/api); the emulator refuses JSON too.
 */
export function encodeForm(params: FormParams): string {
  return new URLSearchParams(formEntries(params)).toString()
}

/** The form's fields in order, as `[key, value]` pairs (what `encodeForm` encodes). */
export function formEntries(params: FormParams): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const walk = (key: string, value: FormValue): void => {
    if (value === undefined) return
    if (value === null) out.push([key, ''])
    else if (typeof value === 'boolean') out.push([key, value ? 'true' : 'false'])
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error(`cannot encode ${key}: not a finite number`)
      out.push([key, String(value)])
    } else if (typeof value === 'string') out.push([key, value])
    else if (Array.isArray(value)) value.forEach((v, i) => walk(`${key}[${i}]`, v as FormValue))
    else
      for (const [k, v] of Object.entries(value as Record<string, FormValue>))
        walk(`${key}[${k}]`, v)
  }
  for (const [k, v] of Object.entries(params)) walk(k, v)
  return out
}
