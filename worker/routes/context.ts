import type { Context, MiddlewareHandler } from 'hono'
import { loadConfig } from '../config/load.ts'
import type { Config } from '../config/types.ts'
import { PayloadTooLargeError, ValidationError } from '../errors.ts'
import { createLogger, type Logger } from '../lib/log.ts'

export interface AppVariables {
  requestId: string
  config: Config
  log: Logger
  /** The operator's name, once an operator token was accepted. */
  actor?: string
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
