import { schemaId, type BusEvent } from './events.ts'

/** One Bayeux message. */
export type Message = Record<string, unknown> & {
  channel?: string
  id?: unknown
  clientId?: string
}

export const COOKIE = 'BAYEUX_BROWSER'

type Base = Pick<Message, 'channel' | 'id' | 'clientId'>

const failure = (base: Base, error: string, reconnect?: 'none' | 'handshake'): Message => ({
  ...base,
  ...(reconnect ? { advice: { reconnect, interval: 0 } } : {}),
  error,
  successful: false,
})

/**
 * A handshake without a valid session: `403::Handshake denied`, the auth failure nested in
 * `ext.sfdc.failureReason`.
 * https://developer.salesforce.com/docs/atlas.en-us.api_streaming.meta/api_streaming/streaming_handling_errors.htm
 */
export function handshakeDenied(msg: Message, hadToken: boolean): Message {
  const reason = hadToken ? '401::Authentication invalid' : '401::Request requires authentication'
  return {
    ext: { sfdc: { failureReason: reason } },
    advice: { reconnect: 'none' },
    channel: msg.channel,
    id: msg.id,
    error: '403::Handshake denied',
    successful: false,
  }
}

export function handshakeOk(msg: Message, clientId: string): Message {
  return {
    ext: { replay: true, 'payload.format': true },
    minimumVersion: '1.0',
    clientId,
    supportedConnectionTypes: ['long-polling'],
    channel: '/meta/handshake',
    id: msg.id,
    version: '1.0',
    successful: true,
  }
}

/** The session behind the token is gone: the client must re-authenticate, not retry. */
export const authInvalid = (base: Base): Message =>
  failure(base, '401::Authentication invalid', 'none')

/** The server does not know (or no longer knows) the client: handshake again. */
export const unknownClient = (base: Base): Message =>
  failure(base, '403::Unknown client', 'handshake')

export const missingCookie = (base: Base, clientId: string): Message =>
  failure(
    base,
    `400::Client ${clientId} has established a session, but no ${COOKIE} cookie present`,
    'handshake',
  )

export const noSuchChannel = (base: Base, channel: string): Message =>
  failure(base, `400::The channel you requested to subscribe to does not exist {${channel}}`)

export const invalidReplayId = (base: Base, replay: unknown): Message =>
  failure(
    base,
    `400::The replayId {${String(replay)}} you provided was invalid. Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`,
  )

export const badConnectionType = (base: Base, type: unknown): Message =>
  failure(base, `400::Invalid connection type ${String(type)}`)

export const unknownChannel = (base: Base): Message =>
  failure(base, `400::Unknown channel ${String(base.channel)}`)

export function connectOk(clientId: string, id: unknown, timeoutMs: number): Message {
  return {
    clientId,
    channel: '/meta/connect',
    id,
    successful: true,
    advice: { reconnect: 'retry', interval: 0, timeout: timeoutMs },
  }
}

/** A platform event as CometD delivers it: schema id, payload with the standard fields, replay id and UUID. */
export function eventMessage(e: BusEvent): Message {
  return {
    channel: e.channel,
    data: {
      schema: schemaId(e.type),
      payload: {
        ...e.fields,
        CreatedDate: new Date(e.createdAt).toISOString(),
        CreatedById: e.createdById,
      },
      event: { replayId: e.replayId, EventUuid: e.uuid },
    },
  }
}
