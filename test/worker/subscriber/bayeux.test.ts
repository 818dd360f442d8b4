import { describe, expect, it } from 'vitest'
import { classify } from '../../../worker/subscriber/bayeux.ts'
import { CookieJar } from '../../../worker/subscriber/cookies.ts'

describe('CookieJar', () => {
  it('keeps every Set-Cookie of a response and sends them back as one Cookie header', () => {
    const headers = new Headers()
    headers.append('set-cookie', 'BAYEUX_BROWSER=abc123; Path=/; HttpOnly')
    headers.append('set-cookie', 'sfdc-stream=!xyz==; Path=/; Secure; SameSite=None')
    const jar = new CookieJar()
    jar.store(headers)
    expect(jar.header()).toBe('BAYEUX_BROWSER=abc123; sfdc-stream=!xyz==')
  })

  it('replaces a cookie set again and drops one the server expires', () => {
    const jar = new CookieJar()
    jar.storeOne('BAYEUX_BROWSER=one; Path=/')
    jar.storeOne('BrowserId=b1; Path=/')
    jar.storeOne('BAYEUX_BROWSER=two; Path=/')
    jar.storeOne('BrowserId=; Max-Age=0; Path=/')
    expect(jar.header()).toBe('BAYEUX_BROWSER=two')
    jar.storeOne('BAYEUX_BROWSER=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT')
    expect(jar.header()).toBeUndefined()
  })

  it('lets Max-Age win over Expires, and ignores a line without a name', () => {
    const jar = new CookieJar()
    jar.storeOne('a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60')
    jar.storeOne('=nameless; Path=/')
    jar.storeOne('garbage')
    expect(jar.header()).toBe('a=1')
  })
})

describe('classify (Bayeux failures)', () => {
  const reply = (fields: Record<string, unknown>) => ({
    channel: '/meta/connect',
    successful: false,
    ...fields,
  })

  it('asks for a new token on 401::Authentication invalid, HTTP 401, or a handshake denied for auth', () => {
    expect(
      classify(200, reply({ error: '401::Authentication invalid', advice: { reconnect: 'none' } }))
        .action,
    ).toBe('reauth')
    expect(classify(401, undefined).action).toBe('reauth')
    const denied = {
      channel: '/meta/handshake',
      successful: false,
      error: '403::Handshake denied',
      ext: { sfdc: { failureReason: '401::Authentication invalid' } },
      advice: { reconnect: 'none' as const },
    }
    expect(classify(200, denied)).toMatchObject({
      action: 'reauth',
      message: '401::Authentication invalid',
    })
  })

  it('handshakes again for an unknown client or when advised, after the advised interval', () => {
    expect(
      classify(
        200,
        reply({ error: '403::Unknown client', advice: { reconnect: 'handshake', interval: 500 } }),
      ),
    ).toMatchObject({ action: 'handshake', intervalMs: 500 })
    expect(
      classify(
        200,
        reply({
          error: '400::Client x has established a session, but no BAYEUX_BROWSER cookie present',
          advice: { reconnect: 'handshake' },
        }),
      ).action,
    ).toBe('handshake')
  })

  it('recognises an expired replay id', () => {
    const error =
      '400::The replayId {42} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.'
    expect(classify(200, { channel: '/meta/subscribe', successful: false, error })).toMatchObject({
      action: 'invalid_replay',
      code: 'replay_id_invalid',
      message: error,
    })
  })

  it('retries when advised, and stops on reconnect none, an HTTP error or no reply', () => {
    expect(
      classify(
        200,
        reply({ error: '503::Server busy', advice: { reconnect: 'retry', interval: 1000 } }),
      ),
    ).toMatchObject({ action: 'retry', intervalMs: 1000 })
    expect(
      classify(200, reply({ error: '400::Unknown channel', advice: { reconnect: 'none' } })),
    ).toMatchObject({ action: 'stop', code: 'bayeux_error' })
    expect(classify(503, undefined)).toMatchObject({ action: 'stop', code: 'http_503' })
    expect(classify(200, undefined)).toMatchObject({ action: 'stop', code: 'no_reply' })
  })
})
