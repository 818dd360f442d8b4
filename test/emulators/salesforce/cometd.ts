import { randomBytes } from 'node:crypto'
import type { EmuRequest, EmuResponse } from '../common/router.ts'
import * as m from './cometd-messages.ts'
import type { Message } from './cometd-messages.ts'
import type { BusEvent } from './events.ts'
import type { Org } from './org.ts'
import { asText } from '../common/text.ts'

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

/**
 * Streaming API (CometD / Bayeux over HTTP long-polling) for platform event channels: handshake
 * (sets the BAYEUX_BROWSER cookie later calls must return), subscribe with the replay extension,
 * long-poll connect, disconnect; errors and advice as Salesforce answers them.
 * https://developer.salesforce.com/docs/atlas.en-us.api_streaming.meta/api_streaming/using_streaming_api_client_connection.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_streaming.meta/api_streaming/streaming_error_codes.htm
 */
export class CometD {
  readonly clients = new Map<string, Client>()
  readonly stats = { handshakes: 0, subscribes: 0, connects: 0, delivered: 0, rejected: 0 }

  /** How many clients have a connect held open right now. */
  heldCount(): number {
    let n = 0
    for (const client of this.clients.values()) if (client.pending) n += 1
    return n
  }
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
      return {
        status: 400,
        body: messages.map((msg) => ({
          channel: msg.channel,
          id: msg.id,
          successful: false,
          error,
        })),
      }
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

  private async dispatch(
    req: EmuRequest,
    msg: Message,
    headers: Record<string, string>,
  ): Promise<Message[]> {
    const base = { channel: msg.channel, id: msg.id, clientId: msg.clientId }
    const session = this.org.auth.authenticate(req.headers)
    if (msg.channel === '/meta/handshake') {
      return [
        session
          ? this.handshake(msg, headers)
          : m.handshakeDenied(msg, Boolean(req.headers.authorization)),
      ]
    }
    if (!session) return [m.authInvalid(base)]
    const client = this.client(msg.clientId)
    if (!client) return [m.unknownClient(base)]
    if (!this.hasCookie(req, client)) return [m.missingCookie(base, client.id)]
    client.lastSeen = this.org.clock.now()
    switch (msg.channel) {
      case '/meta/subscribe':
        return this.subscribe(client, msg)
      case '/meta/unsubscribe':
        client.subscriptions.delete(String(msg.subscription))
        return [{ ...base, subscription: msg.subscription, successful: true }]
      case '/meta/connect':
        return this.connect(client, msg)
      case '/meta/disconnect':
        this.drop(client)
        return [{ ...base, successful: true }]
      default:
        return [m.unknownChannel(base)]
    }
  }

  private handshake(msg: Message, headers: Record<string, string>): Message {
    const id = randomBytes(14)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0')
    const cookie = randomBytes(12).toString('hex')
    const now = this.org.clock.now()
    this.clients.set(id, {
      id,
      cookie,
      subscriptions: new Map(),
      queue: [],
      lastSeen: now,
      connected: false,
    })
    this.stats.handshakes += 1
    headers['set-cookie'] = `${m.COOKIE}=${cookie}; Path=/; HttpOnly`
    return m.handshakeOk(msg, id)
  }

  /** A live client; one that has not connected within the client timeout is forgotten. */
  private client(id: string | undefined): Client | undefined {
    const client = id ? this.clients.get(id) : undefined
    if (
      client &&
      !client.pending &&
      this.org.clock.now() - client.lastSeen > this.clientTimeoutMs
    ) {
      this.drop(client)
      return undefined
    }
    return client
  }

  private hasCookie(req: EmuRequest, client: Client): boolean {
    const cookies = (req.headers.cookie ?? '').split(';').map((c) => c.trim())
    return cookies.includes(`${m.COOKIE}=${client.cookie}`)
  }

  /** -1 = new events only, -2 = everything retained, else a replay id still in retention. */
  private subscribe(client: Client, msg: Message): Message[] {
    const channel = asText(msg.subscription ?? '')
    const base = {
      clientId: client.id,
      channel: '/meta/subscribe',
      id: msg.id,
      subscription: channel,
    }
    const type = /^\/event\/(.+)$/.exec(channel)?.[1]
    if (!type || !this.org.catalog.isEvent(type)) return [m.noSuchChannel(base, channel)]
    const replay = (msg.ext as { replay?: Record<string, unknown> } | undefined)?.replay?.[channel]
    const replayId = replay === undefined || replay === null ? -1 : Number(replay)
    const retained = this.org.bus.retained(channel)
    let cursor: number
    if (replayId === -1) cursor = this.org.bus.latestReplayId
    else if (replayId === -2) cursor = 0
    else if (retained.some((e) => e.replayId === replayId)) cursor = replayId
    else return [m.invalidReplayId(base, replay)]
    const backlog = retained.filter((e) => e.replayId > cursor)
    client.queue.push(...backlog)
    client.subscriptions.set(channel, backlog.at(-1)?.replayId ?? cursor)
    this.stats.subscribes += 1
    this.flush(client)
    return [{ ...base, successful: true }]
  }

  private drain(client: Client): Message[] {
    const events = client.queue.splice(0)
    this.stats.delivered += events.length
    return events.map(m.eventMessage)
  }

  /** Answers at once when events wait (or on the first connect, as CometD does), else holds the poll. */
  private connect(client: Client, msg: Message): Message[] | Promise<Message[]> {
    this.stats.connects += 1
    if (msg.connectionType !== undefined && msg.connectionType !== 'long-polling') {
      return [
        m.badConnectionType(
          { clientId: client.id, channel: '/meta/connect', id: msg.id },
          msg.connectionType,
        ),
      ]
    }
    this.release(client, [])
    if (!client.connected || client.queue.length > 0) {
      client.connected = true
      return [...this.drain(client), m.connectOk(client.id, msg.id, this.longPollMs)]
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.release(client, []), this.longPollMs)
      client.pending = { answer: resolve, timer, connect: msg }
    })
  }

  /** Answers a held connect with `replies`, or (when none) with its queued events. */
  private release(client: Client, replies: Message[]): void {
    const pending = client.pending
    if (!pending) return
    clearTimeout(pending.timer)
    client.pending = undefined
    client.lastSeen = this.org.clock.now()
    pending.answer(
      replies.length > 0
        ? replies
        : [...this.drain(client), m.connectOk(client.id, pending.connect.id, this.longPollMs)],
    )
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

  private held(client: Client) {
    return { clientId: client.id, channel: '/meta/connect', id: client.pending?.connect.id }
  }

  private drop(client: Client): void {
    if (client.pending) this.release(client, [{ ...this.held(client), successful: true }])
    this.clients.delete(client.id)
  }

  /** Tokens were revoked: held connects learn at once (`401::Authentication invalid`). */
  sessionsRevoked(): void {
    for (const client of this.clients.values()) {
      if (client.pending) this.release(client, [m.authInvalid(this.held(client))])
    }
  }

  /** The server forgets every client (a restart, lost stickiness): next calls get `403::Unknown client`. */
  dropAll(): number {
    const n = this.clients.size
    for (const client of [...this.clients.values()]) {
      if (client.pending) this.release(client, [m.unknownClient(this.held(client))])
      this.clients.delete(client.id)
    }
    return n
  }

  reset(): void {
    this.dropAll()
    Object.assign(this.stats, {
      handshakes: 0,
      subscribes: 0,
      connects: 0,
      delivered: 0,
      rejected: 0,
    })
  }
}
