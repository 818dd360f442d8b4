import { invalidRequest } from './errors.ts'

/** A parsed Stripe request: form bodies and query strings decode to the same nested shape. */
export type Param = string | Param[] | Params
export interface Params {
  [key: string]: Param
}

function segments(key: string): string[] {
  const first = key.indexOf('[')
  if (first < 0) return [key]
  const out = [key.slice(0, first)]
  for (const m of key.slice(first).matchAll(/\[([^\]]*)\]/g)) out.push(m[1] ?? '')
  return out
}

/** Objects whose keys are all array indexes (`items[0]`, `items[1]`) become arrays, as Stripe reads them. */
function normalise(value: Param): Param {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map(normalise)
  const keys = Object.keys(value)
  const out: Params = {}
  for (const k of keys) out[k] = normalise(value[k] as Param)
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => out[k] as Param)
  }
  return out
}

/**
 * Decodes `application/x-www-form-urlencoded` (or a query string) with Stripe's bracket
 * nesting: `items[0][price]=p`, `metadata[k]=v`, `expand[]=a`.
 */
export function parseForm(raw: string | URLSearchParams): Params {
  const search = typeof raw === 'string' ? new URLSearchParams(raw) : raw
  const root: Params = {}
  for (const [key, value] of search) {
    const path = segments(key)
    let node: Params | Param[] = root
    for (let i = 0; i < path.length; i++) {
      const seg = path[i] as string
      const last = i === path.length - 1
      // An array container only arises from `[]`, so its segment is always a push.
      if (Array.isArray(node)) {
        if (last) node.push(value)
        else {
          const child: Params = {}
          node.push(child)
          node = child
        }
        continue
      }
      if (last) {
        node[seg] = value
        continue
      }
      let child: Param | undefined = node[seg]
      if (child === undefined || typeof child === 'string') {
        child = path[i + 1] === '' ? [] : {}
        node[seg] = child
      }
      node = child
    }
  }
  return normalise(root) as Params
}

/** Canonical JSON (sorted keys) used to compare the parameters of idempotent requests. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value)
}

/** Reads a string parameter; `required` answers Stripe's missing-parameter error. */
export function str(p: Params, name: string, required = false): string | undefined {
  const v = p[name]
  if (v === undefined || v === '') {
    if (required)
      throw invalidRequest(`Missing required param: ${name}.`, name, 'parameter_missing')
    return undefined
  }
  if (typeof v !== 'string') throw invalidRequest(`Invalid string: ${name}`, name)
  return v
}

/** Reads an integer parameter (form values are strings on the wire). */
export function int(p: Params, name: string, required = false): number | undefined {
  const v = str(p, name, required)
  if (v === undefined) return undefined
  if (!/^-?\d+$/.test(v)) throw invalidRequest(`Invalid integer: ${v}`, name)
  return Number(v)
}

/** Reads a boolean parameter: Stripe accepts `true`/`false`. */
export function bool(p: Params, name: string): boolean | undefined {
  const v = str(p, name)
  if (v === undefined) return undefined
  if (v !== 'true' && v !== 'false') throw invalidRequest(`Invalid boolean: ${v}`, name)
  return v === 'true'
}

/** Reads a nested hash parameter such as `metadata` or `recurring`. */
export function hash(p: Params, name: string): Params | undefined {
  const v = p[name]
  if (v === undefined || v === '') return undefined
  if (typeof v === 'string' || Array.isArray(v)) throw invalidRequest(`Invalid hash`, name)
  return v
}

/** Reads an array parameter (`items[0][…]` or `expand[]=`). */
export function list(p: Params, name: string): Param[] | undefined {
  const v = p[name]
  if (v === undefined || v === '') return undefined
  if (!Array.isArray(v)) throw invalidRequest(`Invalid array`, name)
  return v
}

/** Reads an array of hashes such as `items`. */
export function hashes(p: Params, name: string): Params[] | undefined {
  const v = list(p, name)
  if (v === undefined) return undefined
  return v.map((item, i) => {
    if (typeof item === 'string' || Array.isArray(item))
      throw invalidRequest(`Invalid hash`, `${name}[${i}]`)
    return item
  })
}

/**
 * Applies Stripe's metadata update rules: keys merge into the existing set, an empty value
 * deletes a key, and `metadata=` (empty) clears everything.
 */
export function mergeMetadata(current: Record<string, string>, p: Params): Record<string, string> {
  const v = p['metadata']
  if (v === undefined) return current
  if (v === '') return {}
  if (typeof v === 'string' || Array.isArray(v)) throw invalidRequest('Invalid hash', 'metadata')
  const out = { ...current }
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw invalidRequest('Invalid metadata value', `metadata[${k}]`)
    if (val === '') delete out[k]
    else out[k] = val
  }
  return out
}
