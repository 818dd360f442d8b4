import type { EmuRequest, EmuResponse, Handler } from '../common/router.ts'
import type { Session } from './auth.ts'
import { INVALID_SESSION, NOT_FOUND, restError, SalesforceApiError } from './errors.ts'
import type { Org } from './org.ts'
import { Tx } from './store.ts'

export const LIMIT_HEADER = 'Sforce-Limit-Info'

/** What a REST handler gets: the request, the caller's session, and the transaction to write in. */
export interface ApiCtx {
  req: EmuRequest
  org: Org
  session: Session
  /** `65.0` from `/services/data/v65.0/...`. */
  version: string
  /** The enclosing Composite's transaction (Composite allOrNone); absent = the handler's own. */
  tx?: Tx
  /** Composite allOrNone forces it on every nested collection. */
  forceAllOrNone: boolean
}

export type ApiHandler = (ctx: ApiCtx) => EmuResponse

/** A REST resource below `/services/data/vXX.X`. `kind` is what Composite's 5-of-25 rule counts. */
export interface ApiRoute {
  method: string
  path: string
  handler: ApiHandler
  kind?: 'collection' | 'query'
}

/**
 * Parses a JSON request body.
 * @throws SalesforceApiError JSON_PARSER_ERROR, as REST answers unparsable JSON.
 */
export function jsonBody(req: EmuRequest): unknown {
  if (req.rawBody.trim() === '') return undefined
  try {
    return JSON.parse(req.rawBody) as unknown
  } catch (err) {
    throw new SalesforceApiError(
      400,
      'JSON_PARSER_ERROR',
      `Unexpected character: ${(err as Error).message}`,
    )
  }
}

/** Runs `fn` in the Composite's transaction, or in its own committed one. */
export function inTx<T>(ctx: ApiCtx, fn: (tx: Tx) => T): T {
  if (ctx.tx) return fn(ctx.tx)
  const tx = new Tx()
  try {
    const out = fn(tx)
    ctx.org.commit(tx)
    return out
  } catch (err) {
    ctx.org.rollback(tx)
    throw err
  }
}

/** Calls a handler, turning a thrown SalesforceApiError into its response. */
export function invoke(handler: ApiHandler, ctx: ApiCtx): EmuResponse {
  try {
    return handler(ctx)
  } catch (err) {
    if (err instanceof SalesforceApiError) return err.toResponse()
    throw err
  }
}

const VERSION = /^v(\d{2,3}\.\d)$/

/**
 * Wraps a REST resource as a top-level route: checks the session (401 INVALID_SESSION_ID), takes
 * one call from the daily allocation (403 REQUEST_LIMIT_EXCEEDED when spent), answers with
 * `Sforce-Limit-Info`. https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
 */
export function serveApi(org: Org, route: ApiRoute): Handler {
  return (req) => {
    const version = VERSION.exec(req.params.version ?? '')?.[1]
    if (!version) return NOT_FOUND
    const session = org.auth.authenticate(req.headers)
    if (!session) return { ...INVALID_SESSION, headers: { 'www-authenticate': 'Token' } }
    if (!org.usage.take()) {
      return {
        ...restError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
        headers: { [LIMIT_HEADER]: org.usage.header() },
      }
    }
    const out = invoke(route.handler, { req, org, session, version, forceAllOrNone: false })
    return { ...out, headers: { ...(out.headers ?? {}), [LIMIT_HEADER]: org.usage.header() } }
  }
}
