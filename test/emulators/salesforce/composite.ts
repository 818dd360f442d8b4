import { Router, type EmuRequest, type EmuResponse } from '../common/router.ts'
import { invoke, jsonBody, LIMIT_HEADER, type ApiCtx, type ApiRoute } from './api.ts'
import { restError, SalesforceApiError } from './errors.ts'
import { Tx } from './store.ts'
import { asText } from '../common/text.ts'

interface Subrequest {
  method?: unknown
  url?: unknown
  referenceId?: unknown
  body?: unknown
  httpHeaders?: unknown
}

interface SubResponse {
  body: unknown
  httpHeaders: Record<string, string>
  httpStatusCode: number
  referenceId: string
}

const MAX_SUBREQUESTS = 25
const MAX_COLLECTIONS_OR_QUERIES = 5
const HALTED =
  'The transaction was rolled back since another operation in the same transaction failed.'

/** Composite's own limit errors come back wrapped in a compositeResponse entry with no referenceId. */
function limitExceeded(message: string): EmuResponse {
  return {
    status: 400,
    body: {
      compositeResponse: [
        {
          body: [{ errorCode: 'LIMIT_EXCEEDED', message }],
          httpHeaders: {},
          httpStatusCode: 400,
          referenceId: null,
        },
      ],
    },
  }
}

const halted = (referenceId: string, message = HALTED): SubResponse => ({
  body: [{ errorCode: 'PROCESSING_HALTED', message }],
  httpHeaders: {},
  httpStatusCode: 400,
  referenceId,
})

/** Reads `ref.path[0].field` out of an earlier subresponse body. */
function lookupReference(results: Map<string, SubResponse>, expr: string): unknown {
  const [, refId = '', path = ''] = /^([A-Za-z0-9_]+)(.*)$/.exec(expr) ?? []
  const prior = results.get(refId)
  if (!prior || prior.httpStatusCode >= 400) return undefined
  let value: unknown = prior.body
  for (const [, name, index] of path.matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) {
    if (value === null || typeof value !== 'object') return undefined
    value =
      name !== undefined
        ? (value as Record<string, unknown>)[name]
        : (value as unknown[])[Number(index)]
  }
  return value
}

/** Replaces `@{ref.field}` in a string; a string that is only a reference takes the value's type. */
function substitute(text: string, results: Map<string, SubResponse>, missing: string[]): unknown {
  const whole = /^@\{([^}]+)\}$/.exec(text)
  if (whole?.[1]) {
    const value = lookupReference(results, whole[1])
    if (value === undefined) missing.push(whole[1])
    return value
  }
  return text.replace(/@\{([^}]+)\}/g, (_, expr: string) => {
    const value = lookupReference(results, expr)
    if (value === undefined) missing.push(expr)
    return String(value)
  })
}

function substituteDeep(
  value: unknown,
  results: Map<string, SubResponse>,
  missing: string[],
): unknown {
  if (typeof value === 'string') return substitute(value, results, missing)
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, results, missing))
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteDeep(v, results, missing)]),
    )
  }
  return value
}

/**
 * `POST /composite`: up to 25 subrequests, at most 5 of them sObject Collections or queries,
 * executed in order, counted as ONE API call; with `allOrNone` any failure rolls everything back.
 * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-composite-post.html
 * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-allornone.html
 */
export function compositeRoute(routes: ApiRoute[]): ApiRoute {
  const inner = new Router()
  const byName = new Map<string, ApiRoute>()
  for (const r of routes) {
    const path = `/services/data/:version${r.path}`
    inner.on(r.method, path, () => ({ status: 500 }))
    byName.set(`${r.method} ${path}`, r)
  }
  const resolve = (method: string, url: string) => {
    const [path = '', search = ''] = url.split('?')
    const found = inner.match(method, path)
    return found
      ? {
          api: byName.get(found.route.name),
          params: found.params,
          path,
          query: new URLSearchParams(search),
        }
      : undefined
  }

  const handler = (ctx: ApiCtx): EmuResponse => {
    const body = (jsonBody(ctx.req) ?? {}) as { allOrNone?: unknown; compositeRequest?: unknown }
    const subs = body.compositeRequest
    if (!Array.isArray(subs))
      throw new SalesforceApiError(
        400,
        'JSON_PARSER_ERROR',
        'Required field compositeRequest is missing',
      )
    if (subs.length > MAX_SUBREQUESTS)
      return limitExceeded(`The request can’t contain more than ${MAX_SUBREQUESTS} operations.`)
    const heavy = (subs as Subrequest[]).filter((s) => {
      const kind = resolve(asText(s.method ?? '').toUpperCase(), asText(s.url ?? ''))?.api?.kind
      return kind === 'collection' || kind === 'query'
    })
    if (heavy.length > MAX_COLLECTIONS_OR_QUERIES) {
      return limitExceeded(
        `The request can’t contain more than ${MAX_COLLECTIONS_OR_QUERIES} sObject Collections or query operations.`,
      )
    }
    const refIds = (subs as Subrequest[]).map((s) => s.referenceId)
    if (
      refIds.some((r) => typeof r !== 'string' || !/^[A-Za-z0-9_]+$/.test(r)) ||
      new Set(refIds).size !== refIds.length
    ) {
      throw new SalesforceApiError(
        400,
        'JSON_PARSER_ERROR',
        'Each subrequest needs a unique referenceId of letters, digits and underscores',
      )
    }
    const allOrNone = body.allOrNone === true
    const tx = allOrNone ? new Tx() : undefined
    const results = new Map<string, SubResponse>()
    const out: SubResponse[] = []
    let failedAt = -1
    for (const [i, raw] of (subs as Subrequest[]).entries()) {
      const referenceId = String(raw.referenceId)
      if (failedAt >= 0) {
        out.push(halted(referenceId))
        continue
      }
      const missing: string[] = []
      const url = String(substitute(asText(raw.url ?? ''), results, missing))
      const subBody = substituteDeep(raw.body, results, missing)
      const method = asText(raw.method ?? '').toUpperCase()
      let res: SubResponse
      if (missing.length > 0) {
        res = halted(
          referenceId,
          `Invalid reference specified. No value for ${missing[0]} found in ${missing[0]?.split('.')[0]}. Provided referenceId ${referenceId}`,
        )
      } else {
        const target = resolve(method, url)
        const api = target?.api
        const emu: EmuRequest = {
          method,
          path: target?.path ?? url,
          query: target?.query ?? new URLSearchParams(),
          headers: { ...ctx.req.headers, ...lowerKeys(raw.httpHeaders) },
          rawBody: subBody === undefined ? '' : JSON.stringify(subBody),
          params: target?.params ?? {},
        }
        const served: EmuResponse =
          !api || api.path === '/composite'
            ? restError(404, 'NOT_FOUND', 'The requested resource does not exist')
            : invoke(api.handler, {
                ...ctx,
                req: emu,
                version: emu.params.version?.slice(1) ?? ctx.version,
                tx,
                forceAllOrNone: allOrNone,
              })
        const headers = { ...(served.headers ?? {}) }
        delete headers[LIMIT_HEADER]
        res = {
          body: served.body ?? null,
          httpHeaders: headers,
          httpStatusCode: served.status,
          referenceId,
        }
      }
      out.push(res)
      results.set(referenceId, res)
      const collectionFailed =
        allOrNone &&
        Array.isArray(res.body) &&
        res.body.some((r) => (r as { success?: unknown }).success === false)
      if (allOrNone && (res.httpStatusCode >= 400 || collectionFailed)) failedAt = i
    }
    if (tx && failedAt >= 0) {
      ctx.org.rollback(tx)
      return {
        status: 200,
        body: {
          compositeResponse: out.map((r, i) => (i === failedAt ? r : halted(r.referenceId))),
        },
      }
    }
    if (tx) ctx.org.commit(tx)
    return { status: 200, body: { compositeResponse: out } }
  }
  return { method: 'POST', path: '/composite', handler }
}

function lowerKeys(headers: unknown): Record<string, string> {
  if (!headers || typeof headers !== 'object') return {}
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]))
}
