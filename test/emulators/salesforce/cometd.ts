import { randomBytes } from 'node:crypto'
import type { EmuRequest, EmuResponse } from '../common/router.ts'
import { schemaId, type BusEvent } from './events.ts'
import type { Org } from './org.ts'

type Message = Record<string, unknown> & { channel?: string; id?: unknown; clientId?: string }

interface Client {
  id: string
  cookie: string
  /** Channel → replay id of the last event queued to this client. */
  subscriptions: Map<string, number>
  queue: BusEvent[]
  pending?: { answer: (messages: Message[]) => void; timer: NodeJS.Timeout; connect: Message }
  lastSeen: number
  connected: boolean
}

const COOKIE = 'BAYEUX_BROWSER'

/**
 * Streaming API (CometD / Bayeux over HTTP long-polling) for platform event channels: handshake
 * (sets the BAYEUX_BROWSER cookie later calls must return), subscribe with the replay extension,
 * long-poll connect, disconnect; errors and advice as Salesforce answers them.
 * https://developer.salesforce.com/docs/atlas.en-us.api_streaming.meta/api_streaming/using_streaming_api_client_connection.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_streaming.meta/api_streaming/streaming_error_codes.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_streaming.meta/api_streaming/streaming_handling_errors.htm
 */
export class CometD {
  readonly clients = new Map<string, Client>()
  readonly stats = { handshakes: 0, subscribes: 0, connects: 0, delivered: 0, rejected: 0 }
  private org: Org
  private longPollMs: number
  private clientTimeoutMs: number

  constructor(org: Org) {
    this.org = org
    this.longPollMs = org.options.longPollTimeoutMs ?? 110_000
    this.clientTimeoutMs = org.options.clientTimeoutMs ?? 40_000
    org.bus.onPublish((event) => this.fanOut(event))
  }

  async handle(req: EmuRequest): Promise<EmuResponse> {
    const version = Number(/^(\d+(?:\.\d)?)$/.exec(req.params.version ?? '')?.[1] ?? NaN)
    let messages: Message[]
    try {
      const parsed: unknown = JSON.parse(req.rawBody || '[]')
      messages = (Array.isArray(parsed) ? parsed : [parsed]) as Message[]
    } catch {
      return { status: 400, body: [{ successful: false, error: '400::Invalid JSON' }] }
    }
    if (!(version >= 37)) {
      const error = `400::Unsupported API version. Only API versions '37.0' and above are supported. URI format: '/cometd/65.0'`
      return { status: 400, body: messages.map((m) => ({ channel: m.channel, id: m.id, successful: false, error })) }
    }
    const headers: Record<string, string> = {}
    const out: Message[] = []
    for (const msg of messages) {
      const reply = await this.dispatch(req, msg, headers)
      out.push(...reply)
      if (reply.some((r) => r.successful === false)) this.stats.rejected += 1
    }
    return { status: 200, headers, body: out }
  }

  private async dispatch(req: EmuRequest, msg: Message, headers: Record<string, string>): Promise<Message[]> {
    const base = { channel: msg.channel, id: msg.id, clientId: msg.clientId }
    const session = this.org.auth.authenticate(req.headers)
    if (msg.channel === '/meta/handshake') {
      if (!session) {
        const failure = req.headers.authorization ? '401::Authentication invalid' : '401::Request requires authentication'
        return [{ ext: { sfdc: { failureReason: failure } }, advice: { reconnect: 'none' }, channel: msg.channel, id: msg.id, error: '403::Handshake denied', successful: false }]
      }
      return [this.handshake(msg, headers)]
    }
    if (!session) return [{ ...base, advice: { reconnect: 'none', interval: 0 }, error: '401::Authentication invalid', successful: false }]
    const client = this.client(msg.clientId)
    if (!client) return [{ ...base, advice: { reconnect: 'handshake', interval: 0 }, error: '403::Unknown client', successful: false }]
    if (!this.hasCookie(req, client)) {
      const error = `400::Client ${client.id} has established a session, but no ${COOKIE} cookie present`
      return [{ ...base, advice: { reconnect: 'handshake', interval: 0 }, error, successful: false }]
    }
    client.lastSeen = this.org.clock.now()
    switch (msg.channel) {
      case '/meta/subscribe':
        return this.subscribe(client, msg)
      case '/meta/unsubscribe': {
        client.subscriptions.delete(String(msg.subscription))
        return [{ ...base, subscription: msg.subscription, successful: true }]
      }
      case '/meta/connect':
        return this.connect(client, msg)
      case '/meta/disconnect':
        this.drop(client)
        return [{ ...base, successful: true }]
      default:
        return [{ ...base, error: `400::Unknown channel ${String(msg.channel)}`, successful: false }]
    }
  }

  private handshake(msg: Message, headers: Record<string, string>): Message {
    const id = randomBytes(14).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0')
    const cookie = randomBytes(12).toString('hex')
    this.clients.set(id, { id, cookie, subscriptions: new Map(), queue: [], lastSeen: this.org.clock.now(), connected: false })
    this.stats.handshakes += 1
    headers['set-cookie'] = `${COOKIE}=${cookie}; Path=/; HttpOnly`
    return {
      ext: { replay: true, 'payload.format': true },
      minimumVersion: '1.0',
      clientId: id,
      supportedConnectionTypes: ['long-polling'],
      channel: '/meta/handshake',
      id: msg.id,
      version: '1.0',
      successful: true,
    }
  }

  private client(id: string | undefined): Client | undefined {
    const client = id ? this.clients.get(id) : undefined
    if (client && !client.pending && this.org.clock.now() - client.lastSeen > this.clientTimeoutMs) {
      this.drop(client)
      return undefined
    }
    return client
  }

  private hasCookie(req: EmuRequest, client: Client): boolean {
    return (req.headers.cookie ?? '').split(';').some((c) => c.trim() === `${COOKIE}=${client.cookie}`)
  }

  private subscribe(client: Client, msg: Message): Message[] {
    const channel = String(msg.subscription ?? '')
    const base = { clientId: client.id, channel: '/meta/subscribe', id: msg.id, subscription: channel }
    const type = /^\/event\/(.+)$/.exec(channel)?.[1]
    if (!type || !this.org.catalog.isEvent(type)) {
      return [{ ...base, error: `400::The channel you requested to subscribe to does not exist {${channel}}`, successful: false }]
    }
    const replay = (msg.ext as { replay?: Record<string, unknown> } | undefined)?.replay?.[channel]
    const replayId = replay === undefined || replay === null ? -1 : Number(replay)
    const retained = this.org.bus.retained(channel)
    let cursor: number
    if (replayId === -1) cursor = this.org.bus.latestReplayId
    else if (replayId === -2) cursor = 0
    else if (retained.some((e) => e.replayId === replayId)) cursor = replayId
    else {
      const error = `400::The replayId {${String(replay)}} you provided was invalid. Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`
      return [{ ...base, error, successful: false }]
    }
    const backlog = retained.filter((e) => e.replayId > cursor)
    client.queue.push(...backlog)
    client.subscriptions.set(channel, backlog.at(-1)?.replayId ?? cursor)
    this.stats.subscribes += 1
    this.flush(client)
    return [{ ...base, successful: true }]
  }

  private connectReply(client: Client, msg: Message): Message {
    return { clientId: client.id, channel: '/meta/connect', id: msg.id, successful: true, advice: { reconnect: 'retry', interval: 0, timeout: this.longPollMs } }
  }

  private drain(client: Client): Message[] {
    const events = client.queue.splice(0)
    this.stats.delivered += events.length
    return events.map((e) => ({
      channel: e.channel,
      data: {
        schema: schemaId(e.type),
        payload: { ...e.fields, CreatedDate: new Date(e.createdAt).toISOString(), CreatedById: e.createdById },
        event: { replayId: e.replayId, EventUuid: e.uuid },
      },
    }))
  }

  /** Answers at once when events wait (or on the first connect, as CometD does), else holds the poll. */
  private connect(client: Client, msg: Message): Message[] | Promise<Message[]> {
    this.stats.connects += 1
    if (msg.connectionType !== undefined && msg.connectionType !== 'long-polling') {
      return [{ clientId: client.id, channel: '/meta/connect', id: msg.id, error: `400::Invalid connection type ${String(msg.connectionType)}`, successful: false }]
    }
    this.release(client, [])
    if (!client.connected || client.queue.length > 0) {
      client.connected = true
      return [...this.drain(client), this.connectReply(client, msg)]
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.release(client, []), this.longPollMs)
      client.pending = { answer: resolve, timer, connect: msg }
    })
  }

  /** Answers a held connect with `prefix` messages (or, if none, its queued events). */
  private release(client: Client, prefix: Message[]): void {
    const pending = client.pending
    if (!pending) return
    clearTimeout(pending.timer)
    client.pending = undefined
    client.lastSeen = this.org.clock.now()
    pending.answer(prefix.length > 0 ? prefix : [...this.drain(client), this.connectReply(client, pending.connect)])
  }

  private flush(client: Client): void {
    if (client.pending && client.queue.length > 0) this.release(client, [])
  }

  private fanOut(event: BusEvent): void {
    for (const client of this.clients.values()) {
      const cursor = client.subscriptions.get(event.channel)
      if (cursor === undefined || event.replayId <= cursor) continue
      client.queue.push(event)
      client.subscriptions.set(event.channel, event.replayId)
      this.flush(client)
    }
  }

  private drop(client: Client): void {
    if (client.pending) {
      const c = client.pending.connect
      this.release(client, [{ clientId: client.id, channel: '/meta/connect', id: c.id, successful: true }])
    }
    this.clients.delete(client.id)
  }

  /** Tokens were revoked: held connects learn at once (`401::Authentication invalid`). */
  sessionsRevoked(): void {
    for (const client of this.clients.values()) {
      const c = client.pending?.connect
      if (c) this.release(client, [{ clientId: client.id, channel: '/meta/connect', id: c.id, advice: { reconnect: 'none', interval: 0 }, error: '401::Authentication invalid', successful: false }])
    }
  }

  /** The server forgets every client (a restart or lost stickiness): next calls get `403::Unknown client`. */
  dropAll(): number {
    const n = this.clients.size
    for (const client of [...this.clients.values()]) {
      const c = client.pending?.connect
      if (c) this.release(client, [{ clientId: client.id, channel: '/meta/connect', id: c.id, advice: { reconnect: 'handshake', interval: 0 }, error: '403::Unknown client', successful: false }])
      this.clients.delete(client.id)
    }
    return n
  }

  reset(): void {
    this.dropAll()
    Object.assign(this.stats, { handshakes: 0, subscribes: 0, connects: 0, delivered: 0, rejected: 0 })
  }
}
