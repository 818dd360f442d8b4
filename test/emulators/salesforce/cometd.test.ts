import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bayeux, clientCredentialsToken, startTestOrg, type TestOrg } from './test-support.ts'
import { until } from '../../support/poll.ts'

const CHANNEL = '/event/Subscription_Amendment__e'

describe('CometD /cometd/65.0', () => {
  let org: TestOrg
  beforeEach(async () => {
    org = await startTestOrg({ seed: true, longPollTimeoutMs: 300 })
  })
  afterEach(() => org.close())

  const amend = (seq: number) =>
    org.emu.sf.publish('Subscription_Amendment__e', [
      {
        Account_Id__c: org.emu.sf.seed().accountIds[0],
        Subscription_Key__c: 'SUB-KESTREL-1',
        Sequence__c: seq,
        Action__c: 'change_quantity',
        Quantity__c: 20 + seq,
        Correlation_Id__c: `corr-${seq}`,
      },
    ])[0]!

  async function handshake() {
    const res = await bayeux(org.url, org.token, [
      {
        channel: '/meta/handshake',
        version: '1.0',
        supportedConnectionTypes: ['long-polling'],
        id: '1',
      },
    ])
    const cookie = (res.setCookie ?? '').split(';')[0] ?? ''
    return { res, clientId: res.messages[0].clientId as string, cookie }
  }

  async function subscribe(clientId: string, cookie: string, replayId?: number) {
    const ext = replayId === undefined ? undefined : { replay: { [CHANNEL]: replayId } }
    return bayeux(
      org.url,
      org.token,
      [{ channel: '/meta/subscribe', clientId, subscription: CHANNEL, id: '2', ext }],
      cookie,
    )
  }

  const connect = (clientId: string, cookie: string) =>
    bayeux(
      org.url,
      org.token,
      [{ channel: '/meta/connect', clientId, connectionType: 'long-polling', id: '3' }],
      cookie,
    )

  /** Waits until the emulator holds a connect open (the long poll has reached the server). */
  const untilHeld = () => until('a held connect', async () => (await org.state()).cometd.held === 1)

  /** Connects until the connect comes back with events (the first connect returns at once). */
  async function receive(clientId: string, cookie: string) {
    for (let i = 0; i < 3; i++) {
      const events = (await connect(clientId, cookie)).messages.filter((m) => m.channel === CHANNEL)
      if (events.length > 0) return events
    }
    return []
  }

  it('handshakes with replay support and a BAYEUX_BROWSER cookie', async () => {
    const { res, clientId } = await handshake()
    expect(res.status).toBe(200)
    expect(res.messages).toEqual([
      {
        ext: { replay: true, 'payload.format': true },
        minimumVersion: '1.0',
        clientId: expect.any(String),
        supportedConnectionTypes: ['long-polling'],
        channel: '/meta/handshake',
        id: '1',
        version: '1.0',
        successful: true,
      },
    ])
    expect(clientId.length).toBeGreaterThan(10)
    expect(res.setCookie).toMatch(/^BAYEUX_BROWSER=\w+/)
  })

  it('rejects calls that do not send the cookie back', async () => {
    const { clientId } = await handshake()
    const res = await subscribe(clientId, '')
    expect(res.messages[0]).toMatchObject({
      successful: false,
      error: expect.stringMatching(
        /^400::Client \w+ has established a session, but no BAYEUX_BROWSER cookie present$/,
      ),
    })
  })

  it('delivers new events to a -1 subscriber on a held long-poll, then advises retry', async () => {
    amend(1)
    const { clientId, cookie } = await handshake()
    expect((await subscribe(clientId, cookie, -1)).messages[0]).toEqual({
      clientId,
      channel: '/meta/subscribe',
      id: '2',
      subscription: CHANNEL,
      successful: true,
    })
    const first = await connect(clientId, cookie)
    expect(first.messages).toEqual([
      {
        clientId,
        channel: '/meta/connect',
        id: '3',
        successful: true,
        advice: { reconnect: 'retry', interval: 0, timeout: 300 },
      },
    ])
    const held = connect(clientId, cookie)
    await untilHeld()
    const published = amend(2)
    const { messages } = await held
    expect(messages).toHaveLength(2)
    expect(messages[0]).toEqual({
      channel: CHANNEL,
      data: {
        schema: expect.any(String),
        payload: expect.objectContaining({
          Sequence__c: 2,
          Quantity__c: 22,
          Correlation_Id__c: 'corr-2',
          Effective_Date__c: null,
          CreatedById: expect.stringMatching(/^005/),
          CreatedDate: expect.stringMatching(/Z$/),
        }),
        event: { replayId: published.replayId, EventUuid: published.uuid },
      },
    })
    expect(messages[1]).toMatchObject({
      channel: '/meta/connect',
      successful: true,
      advice: { reconnect: 'retry', interval: 0, timeout: 300 },
    })
  })

  it('returns an empty connect when the long-poll times out', async () => {
    const { clientId, cookie } = await handshake()
    await subscribe(clientId, cookie, -1)
    await connect(clientId, cookie)
    const started = Date.now()
    const res = await connect(clientId, cookie)
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    expect(res.messages).toEqual([
      expect.objectContaining({ channel: '/meta/connect', successful: true }),
    ])
  })

  it('replays from a stored replay id, and everything retained with -2', async () => {
    const events = [amend(1), amend(2), amend(3)]
    const a = await handshake()
    await subscribe(a.clientId, a.cookie, events[0]!.replayId)
    expect((await receive(a.clientId, a.cookie)).map((m) => m.data.payload.Sequence__c)).toEqual([
      2, 3,
    ])
    const b = await handshake()
    await subscribe(b.clientId, b.cookie, -2)
    expect((await receive(b.clientId, b.cookie)).map((m) => m.data.event.replayId)).toEqual(
      events.map((e) => e.replayId),
    )
  })

  it('refuses a replay id older than the retention window', async () => {
    const old = amend(1)
    org.emu.sf.advanceClock(73 * 3600_000)
    amend(2)
    await org.control('purgeEvents')
    const { clientId, cookie } = await fresh()
    const res = await subscribe(clientId, cookie, old.replayId)
    expect(res.messages[0]).toMatchObject({
      successful: false,
      error: `400::The replayId {${old.replayId}} you provided was invalid. Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`,
    })
    expect((await subscribe(clientId, cookie, -2)).messages[0].successful).toBe(true)
    expect((await receive(clientId, cookie)).map((m) => m.data.payload.Sequence__c)).toEqual([2])
  })

  /** After moving the clock the session and client have lapsed: a new token and handshake. */
  async function fresh() {
    org.token = await clientCredentialsToken(org.url)
    return handshake()
  }

  it('advises a new handshake for an unknown client, also to a held connect', async () => {
    const { clientId, cookie } = await handshake()
    await subscribe(clientId, cookie, -1)
    await connect(clientId, cookie)
    const held = connect(clientId, cookie)
    await untilHeld()
    expect((await org.control('dropClients')).body.dropped).toBe(1)
    expect((await held).messages[0]).toMatchObject({
      error: '403::Unknown client',
      advice: { reconnect: 'handshake' },
      successful: false,
    })
    const res = await connect(clientId, cookie)
    expect(res.messages).toEqual([
      {
        channel: '/meta/connect',
        id: '3',
        clientId,
        error: '403::Unknown client',
        advice: { reconnect: 'handshake', interval: 0 },
        successful: false,
      },
    ])
  })

  it('says 401::Authentication invalid with reconnect none once the token is revoked', async () => {
    const { clientId, cookie } = await handshake()
    await subscribe(clientId, cookie, -1)
    await connect(clientId, cookie)
    const held = connect(clientId, cookie)
    await untilHeld()
    await org.control('expireTokens')
    expect((await held).messages[0]).toMatchObject({
      error: '401::Authentication invalid',
      advice: { reconnect: 'none' },
      successful: false,
    })
    const again = await connect(clientId, cookie)
    expect(again.messages[0]).toMatchObject({
      error: '401::Authentication invalid',
      advice: { reconnect: 'none', interval: 0 },
    })
    const shake = await bayeux(org.url, org.token, [
      { channel: '/meta/handshake', version: '1.0', id: '9' },
    ])
    expect(shake.messages[0]).toMatchObject({
      error: '403::Handshake denied',
      ext: { sfdc: { failureReason: '401::Authentication invalid' } },
      advice: { reconnect: 'none' },
    })
  })

  it('forgets a client that stops connecting, and disconnects on request', async () => {
    const a = await handshake()
    org.emu.sf.advanceClock(41_000)
    expect((await connect(a.clientId, a.cookie)).messages[0].error).toBe('403::Unknown client')
    const b = await handshake()
    const bye = await bayeux(
      org.url,
      org.token,
      [{ channel: '/meta/disconnect', clientId: b.clientId, id: '4' }],
      b.cookie,
    )
    expect(bye.messages[0]).toMatchObject({ channel: '/meta/disconnect', successful: true })
    expect((await org.state()).cometd.clients).toBe(0)
  })

  it('refuses unknown channels and API versions before 37.0', async () => {
    const { clientId, cookie } = await handshake()
    const res = await bayeux(
      org.url,
      org.token,
      [{ channel: '/meta/subscribe', clientId, subscription: '/event/Nope__e', id: '5' }],
      cookie,
    )
    expect(res.messages[0].error).toBe(
      '400::The channel you requested to subscribe to does not exist {/event/Nope__e}',
    )
    const old = await fetch(`${org.url}/cometd/36.0`, {
      method: 'POST',
      headers: { authorization: `Bearer ${org.token}` },
      body: '[{"channel":"/meta/handshake"}]',
    })
    expect(old.status).toBe(400)
  })
})
