import { invalidRequest } from './errors.ts'
import { int, str, type Param, type Params } from './form.ts'
import { snapshot, type Store } from './state.ts'
import type { StripeList } from './types.ts'

/**
 * Stripe's cursor pagination: newest first, `limit` 1..100 (default 10), `starting_after` /
 * `ending_before` object ids, `has_more`.
 * @throws StripeError 400 for a bad limit or an unknown cursor.
 */
export function paginate<T extends { id: string; created: number }>(
  items: Iterable<T>,
  params: Params,
  url: string,
  store: Store,
): StripeList<T> {
  const limit = int(params, 'limit') ?? 10
  if (limit < 1 || limit > 100)
    throw invalidRequest('Invalid limit: must be between 1 and 100', 'limit')
  const sorted = [...items].sort(
    (a, b) => b.created - a.created || (store.order.get(b.id) ?? 0) - (store.order.get(a.id) ?? 0),
  )
  const after = str(params, 'starting_after')
  const before = str(params, 'ending_before')
  let window = sorted
  if (after) {
    const i = sorted.findIndex((o) => o.id === after)
    if (i < 0)
      throw invalidRequest(`No such object: '${after}'`, 'starting_after', 'resource_missing')
    window = sorted.slice(i + 1)
  } else if (before) {
    const i = sorted.findIndex((o) => o.id === before)
    if (i < 0)
      throw invalidRequest(`No such object: '${before}'`, 'ending_before', 'resource_missing')
    window = sorted.slice(Math.max(0, i - limit), i)
    return { object: 'list', data: window.map(snapshot), has_more: i - limit > 0, url }
  }
  return {
    object: 'list',
    data: window.slice(0, limit).map(snapshot),
    has_more: window.length > limit,
    url,
  }
}

/** Applies `created[gt|gte|lt|lte]` (or an exact `created`) to a list. */
export function filterCreated<T extends { created: number }>(items: T[], params: Params): T[] {
  const c = params['created']
  if (c === undefined) return items
  if (typeof c === 'string') return items.filter((o) => o.created === Number(c))
  if (Array.isArray(c)) throw invalidRequest('Invalid created filter', 'created')
  const num = (k: string) => (typeof c[k] === 'string' ? Number(c[k]) : undefined)
  const gt = num('gt')
  const gte = num('gte')
  const lt = num('lt')
  const lte = num('lte')
  return items.filter(
    (o) =>
      (gt === undefined || o.created > gt) &&
      (gte === undefined || o.created >= gte) &&
      (lt === undefined || o.created < lt) &&
      (lte === undefined || o.created <= lte),
  )
}

function expandPath(value: unknown, path: string[], store: Store): unknown {
  if (Array.isArray(value)) return value.map((v) => expandPath(v, path, store))
  if (path.length === 0) {
    if (typeof value === 'string') {
      const found = store.lookup(value)
      return found ? snapshot(found) : value
    }
    return value
  }
  if (typeof value === 'string') {
    const found = store.lookup(value)
    return found ? expandPath(snapshot(found), path, store) : value
  }
  if (!value || typeof value !== 'object') return value
  const [head, ...rest] = path as [string, ...string[]]
  const obj = value as Record<string, unknown>
  if (!(head in obj)) return value
  return { ...obj, [head]: expandPath(obj[head], rest, store) }
}

/** Replaces id strings named by `expand[]` paths (`latest_invoice`, `data.customer`) with objects. */
export function expand(body: unknown, paths: Param | undefined, store: Store): unknown {
  if (paths === undefined) return body
  const list = Array.isArray(paths) ? paths : [paths]
  let out = body
  for (const p of list) if (typeof p === 'string') out = expandPath(out, p.split('.'), store)
  return out
}
