import { vendorFetch } from '../connectors/http.ts'
import type { CookieJar } from './cookies.ts'

/**
 * Bayeux over plain fetch: the JSON POSTs of Salesforce's Streaming API and how to read its
 * errors. Salesforce speaks long-polling only, so no faye/CometD library is needed (and faye's
 * non-Node transports need XHR, which Workers lack).
 * https://developer.salesforce.com/docs/atlas.en-us.api_streaming.meta/api_streaming/using_streaming_api_client_connection.htm
 */

export interface Advice {
  reconnect?: 'retry' | 'handshake' | 'none'
  interval?: number
  timeout?: number
}

export interface BayeuxMessage {
  channel: string
  id?: string
  clientId?: string
  successful?: boolean
  error?: string
  advice?: Advice
  ext?: Record<string, unknown>
  data?: unknown
  subscription?: string
}

export interface BayeuxReply {
  /** The HTTP status; Bayeux errors come as 200 with `successful: false` messages. */
  status: number
  messages: BayeuxMessage[]
}

/** One endpoint, one token, one cookie jar: the transport of a handshake and what follows it. */
export class BayeuxTransport {
  private readonly endpoint: string
  private readonly token: string
  private readonly cookies: CookieJar
  private seq = 0

  constructor(endpoint: string, token: string, cookies: CookieJar) {
    this.endpoint = endpoint
    this.token = token
    this.cookies = cookies
  }

  /**
   * POSTs `messages` (each gets the next id) and returns the server's messages. Cookies the
   * server sets are kept for the next call.
   * @throws ConnectorError (transient) on a network failure or when no answer comes in `timeoutMs`.
   */
  async send(
    messages: Array<Omit<BayeuxMessage, 'id'> & Record<string, unknown>>,
    timeoutMs: number,
  ): Promise<BayeuxReply> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      'content-type': 'application/json',
    }
    const cookie = this.cookies.header()
    if (cookie) headers.cookie = cookie
    const body = JSON.stringify(messages.map((m) => ({ ...m, id: String(++this.seq) })))
    const res = await vendorFetch('salesforce', this.endpoint, {
      method: 'POST',
      headers,
      body,
      timeoutMs,
    })
    this.cookies.store(res.headers)
    const list = Array.isArray(res.json) ? res.json : res.json === undefined ? [] : [res.json]
    return { status: res.status, messages: list.filter(isMessage) }
  }
}

function isMessage(value: unknown): value is BayeuxMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { channel?: unknown }).channel === 'string'
  )
}

/** The server's answer on a meta channel (`/meta/connect`, ...), among the events that came with it. */
export function metaReply(reply: BayeuxReply, channel: string): BayeuxMessage | undefined {
  return reply.messages.find((m) => m.channel === channel)
}

/**
 * What to do about an unsuccessful reply:
 * - `reauth`: the token is no longer valid (`401::Authentication invalid`, also nested in a
 *   `403::Handshake denied` as `ext.sfdc.failureReason`, or an HTTP 401); mint a new one.
 * - `handshake`: the server forgot the client (`403::Unknown client`) or advises it.
 * - `invalid_replay`: the replay id is not (or no longer) retained.
 * - `retry`: try the same call again after `intervalMs`.
 * - `stop`: give up this run.
 * https://developer.salesforce.com/docs/atlas.en-us.api_streaming.meta/api_streaming/streaming_error_codes.htm
 */
export interface Failure {
  action: 'reauth' | 'handshake' | 'invalid_replay' | 'retry' | 'stop'
  code: string
  /** The server's own words (a Bayeux error carries no secrets), for the operator. */
  message: string
  /** `advice.interval`: how long to wait before the next call. */
  intervalMs: number
}

const INVALID_REPLAY = /replayId \{[^}]*\} you provided was invalid/i

export function classify(status: number, reply: BayeuxMessage | undefined): Failure {
  const intervalMs = Math.max(0, reply?.advice?.interval ?? 0)
  const error = reply?.error ?? ''
  const sfdc = reply?.ext?.sfdc as { failureReason?: unknown } | undefined
  const reason = typeof sfdc?.failureReason === 'string' ? sfdc.failureReason : ''
  if (status === 401 || error.startsWith('401::') || reason.startsWith('401::')) {
    return {
      action: 'reauth',
      code: 'auth_invalid',
      message: reason || error || 'HTTP 401',
      intervalMs,
    }
  }
  if (status !== 200)
    return {
      action: 'stop',
      code: `http_${status}`,
      message: `Salesforce answered the CometD call with HTTP ${status}.`,
      intervalMs,
    }
  if (!reply)
    return {
      action: 'stop',
      code: 'no_reply',
      message: 'Salesforce sent no reply to the CometD call.',
      intervalMs,
    }
  if (INVALID_REPLAY.test(error))
    return { action: 'invalid_replay', code: 'replay_id_invalid', message: error, intervalMs }
  if (error.startsWith('403::Unknown client') || reply.advice?.reconnect === 'handshake') {
    return {
      action: 'handshake',
      code: 'unknown_client',
      message: error || 'server advised a new handshake',
      intervalMs,
    }
  }
  if (reply.advice?.reconnect === 'retry')
    return {
      action: 'retry',
      code: 'retry_advised',
      message: error || 'server advised a retry',
      intervalMs,
    }
  return {
    action: 'stop',
    code: 'bayeux_error',
    message: error || `unsuccessful ${reply.channel} without an error`,
    intervalMs,
  }
}
