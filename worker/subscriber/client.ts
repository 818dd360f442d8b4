import { metaReply, type BayeuxMessage, type BayeuxReply, type BayeuxTransport } from './bayeux.ts'

export const REQUEST_TIMEOUT_MS = 30_000
/** After our disconnect, how long the held connect may take to come back before we abort it. */
const RELEASE_GRACE_MS = 5_000

/**
 * `/meta/handshake` with the replay extension requested. Returns the client, or the server's
 * refusal (`reply` undefined when it sent none) for the caller to classify.
 * @throws ConnectorError on a network failure or timeout.
 */
export async function handshake(
  transport: BayeuxTransport,
): Promise<
  { client: BayeuxClient; replay: boolean } | { refused: BayeuxReply; reply?: BayeuxMessage }
> {
  const answer = await transport.send(
    [
      {
        channel: '/meta/handshake',
        version: '1.0',
        minimumVersion: '1.0',
        supportedConnectionTypes: ['long-polling'],
        ext: { replay: true },
      },
    ],
    REQUEST_TIMEOUT_MS,
  )
  const reply = metaReply(answer, '/meta/handshake')
  if (!reply?.successful || !reply.clientId) return { refused: answer, reply }
  return { client: new BayeuxClient(transport, reply.clientId), replay: reply.ext?.replay === true }
}

/** A handshaken client: subscribe, long-poll, disconnect. */
export class BayeuxClient {
  private readonly transport: BayeuxTransport
  private readonly clientId: string
  private disconnected = false

  constructor(transport: BayeuxTransport, clientId: string) {
    this.transport = transport
    this.clientId = clientId
  }

  subscribe(channel: string, replayId: number): Promise<BayeuxReply> {
    return this.transport.send(
      [
        {
          channel: '/meta/subscribe',
          clientId: this.clientId,
          subscription: channel,
          ext: { replay: { [channel]: replayId } },
        },
      ],
      REQUEST_TIMEOUT_MS,
    )
  }

  /**
   * A long-poll that we stop waiting for after `waitMs`: we then disconnect, which makes the
   * server answer the held connect at once (with any event that raced in) instead of holding it
   * for its own timeout (110 s on Salesforce). `released` says we did. If even that answer does
   * not come, the request is aborted; an event it carried is not lost, as the stored replay id
   * did not move past it.
   * @throws ConnectorError when the connect fails before `waitMs`.
   */
  async connect(waitMs: number): Promise<BayeuxReply & { released: boolean }> {
    const message = {
      channel: '/meta/connect',
      clientId: this.clientId,
      connectionType: 'long-polling',
      advice: { timeout: waitMs },
    }
    const held = this.transport.send([message], waitMs + RELEASE_GRACE_MS).then(
      (reply) => ({ ok: true as const, reply }),
      (error: unknown) => ({ ok: false as const, error }),
    )
    let timer: ReturnType<typeof setTimeout> | undefined
    const idle = new Promise<'idle'>((resolve) => {
      timer = setTimeout(() => resolve('idle'), waitMs)
    })
    const first = await Promise.race([held, idle])
    clearTimeout(timer)
    if (first !== 'idle') {
      if (!first.ok) throw first.error
      return { ...first.reply, released: false }
    }
    await this.disconnect()
    const settled = await held
    return settled.ok
      ? { ...settled.reply, released: true }
      : { status: 0, messages: [], released: true }
  }

  /** Best effort: the server forgets an idle client anyway (40 s on Salesforce). */
  async disconnect(): Promise<void> {
    if (this.disconnected) return
    this.disconnected = true
    try {
      await this.transport.send(
        [{ channel: '/meta/disconnect', clientId: this.clientId }],
        REQUEST_TIMEOUT_MS,
      )
    } catch {
      // Nothing depends on it.
    }
  }
}
