import type { Context, MiddlewareHandler } from 'hono'
import { loadConfig } from '../config/load.ts'
import type { Config } from '../config/types.ts'
import type { ConsoleRole } from '../console/roles.ts'
import type { Session } from '../console/session.ts'
import type { Viewer } from '../console/views/layout.tsx'
import { AppError, PayloadTooLargeError, ValidationError } from '../errors.ts'
import { createLogger, errorFields, type Logger } from '../lib/log.ts'

export interface AppVariables {
  requestId: string
  config: Config
  log: Logger
  /** The operator's name, once an operator token or a console session was accepted. */
  actor?: string
  /** The actor's role (operator token or console session), for the two-person rules. */
  role?: ConsoleRole
  /** The console session, once the console's sign-in accepted the request. */
  session?: Session
  /** The signed-in person as console pages show them, with their CSRF token. */
  viewer?: Viewer
}

export type AppEnv = { Bindings: Env; Variables: AppVariables }
export type AppContext = Context<AppEnv>

/** Gives every request an id (echoed in `X-Request-Id`), the parsed config and a logger. */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const requestId = crypto.randomUUID()
  c.set('requestId', requestId)
  c.header('X-Request-Id', requestId)
  const config = loadConfig(c.env)
  c.set('config', config)
  c.set('log', createLogger({ requestId, method: c.req.method, path: c.req.path }, config.logLevel))
  await next()
}

/** An error as a caller may see it: safe message and code only; the rest went to the log. */
export interface Failure {
  status: number
  code: string
  message: string
  requestId: string
  details?: unknown
  retryAfter?: string
}

/**
 * Logs an error in full (under the request id) and says what the caller may learn of it: an
 * `AppError`'s safe message, or a generic 500 for anything else. Both the JSON API and the
 * console answer from this, so neither can leak what the other keeps back.
 */
export function describeFailure(err: Error, c: AppContext): Failure {
  const requestId = c.get('requestId') ?? crypto.randomUUID()
  const log = c.get('log') ?? createLogger({ requestId })
  if (err instanceof AppError) {
    log[err.status >= 500 ? 'error' : 'warn']('request failed', {
      code: err.code,
      status: err.status,
      ...errorFields(err),
    })
    const { status, code, message, details, retryAfter } = err
    return { status, code, message, requestId, details, retryAfter }
  }
  log.error('unhandled error', errorFields(err))
  return {
    status: 500,
    code: 'internal_error',
    message: 'Something went wrong inside Concord.',
    requestId,
  }
}

/**
 * Reads the raw body, refusing more than `maxBytes` before buffering it all.
 * @throws PayloadTooLargeError past the limit.
 */
export async function readRawBody(
  c: AppContext,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(c.req.header('content-length') ?? '0')
  const tooLarge = () =>
    new PayloadTooLargeError(
      `Request body is larger than ${maxBytes} bytes; send fewer events per request.`,
    )
  if (declared > maxBytes) throw tooLarge()
  const reader = c.req.raw.body?.getReader()
  if (!reader) return new Uint8Array(new ArrayBuffer(0))
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(value)
  }
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/** @throws ValidationError when the bytes are not UTF-8 JSON. */
export function parseJson(raw: Uint8Array): unknown {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw)
  } catch {
    throw new ValidationError('Request body is not valid UTF-8.')
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new ValidationError('Request body is not valid JSON.')
  }
}
