import { describe, expect, it } from 'vitest'
import {
  StripeSignatureError,
  verifyStripeSignature,
  type StripeSignatureFailure,
} from '../../../worker/connectors/stripe/index.ts'
import { hmacSha256Hex } from '../../../worker/lib/hmac.ts'

const SECRET = 'whsec_current_0123456789abcdef'
const OLD = 'whsec_previous_fedcba9876543210'
const NOW = 1_795_000_000
const BODY = JSON.stringify({
  id: 'evt_1',
  object: 'event',
  type: 'invoice.paid',
  data: { object: { id: 'in_1' } },
})

const sign = (secret: string, t = NOW, body = BODY) => hmacSha256Hex(secret, `${t}.${body}`)

async function refusal(p: Promise<unknown>): Promise<StripeSignatureError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(StripeSignatureError)
  return err as StripeSignatureError
}

describe('verifyStripeSignature', () => {
  it('accepts a valid signature and returns its timestamp', async () => {
    await expect(
      verifyStripeSignature(BODY, `t=${NOW},v1=${await sign(SECRET)}`, [SECRET], 300, NOW + 10),
    ).resolves.toEqual({ timestamp: NOW })
  })

  it('accepts the raw bytes as well as text', async () => {
    const bytes = new TextEncoder().encode(BODY)
    await expect(
      verifyStripeSignature(bytes, `t=${NOW},v1=${await sign(SECRET)}`, [SECRET], 300, NOW),
    ).resolves.toEqual({ timestamp: NOW })
  })

  it('accepts any of several v1 values, under any configured secret (a secret roll)', async () => {
    const header = `t=${NOW},v1=${'0'.repeat(64)},v0=ignored,v1=${await sign(OLD)}`
    await expect(verifyStripeSignature(BODY, header, [SECRET, OLD], 300, NOW)).resolves.toEqual({
      timestamp: NOW,
    })
  })

  it('refuses a signature made with another secret', async () => {
    const err = await refusal(
      verifyStripeSignature(
        BODY,
        `t=${NOW},v1=${await sign('whsec_someone_else')}`,
        [SECRET, OLD],
        300,
        NOW,
      ),
    )
    expect(err.reason).toBe<StripeSignatureFailure>('signature_mismatch')
  })

  it('refuses a tampered body and a tampered timestamp, without revealing the expected value', async () => {
    const good = await sign(SECRET)
    const tampered = await refusal(
      verifyStripeSignature(
        BODY.replace('in_1', 'in_2'),
        `t=${NOW},v1=${good}`,
        [SECRET],
        300,
        NOW,
      ),
    )
    expect(tampered.reason).toBe('signature_mismatch')
    expect(tampered.message).not.toContain(await sign(SECRET, NOW, BODY.replace('in_1', 'in_2')))
    const moved = await refusal(
      verifyStripeSignature(BODY, `t=${NOW + 1},v1=${good}`, [SECRET], 300, NOW),
    )
    expect(moved.reason).toBe('signature_mismatch')
  })

  it('refuses a stale or far-future timestamp even with a valid signature', async () => {
    const old = NOW - 301
    expect(
      (
        await refusal(
          verifyStripeSignature(BODY, `t=${old},v1=${await sign(SECRET, old)}`, [SECRET], 300, NOW),
        )
      ).reason,
    ).toBe('timestamp_out_of_tolerance')
    const ahead = NOW + 400
    expect(
      (
        await refusal(
          verifyStripeSignature(
            BODY,
            `t=${ahead},v1=${await sign(SECRET, ahead)}`,
            [SECRET],
            300,
            NOW,
          ),
        )
      ).reason,
    ).toBe('timestamp_out_of_tolerance')
    await expect(
      verifyStripeSignature(BODY, `t=${old},v1=${await sign(SECRET, old)}`, [SECRET], 600, NOW),
    ).resolves.toEqual({ timestamp: old })
  })

  it('names what is missing or malformed', async () => {
    const cases: Array<[string | undefined, string[], StripeSignatureFailure]> = [
      [`t=${NOW},v1=abc`, [], 'no_secret'],
      [undefined, [SECRET], 'missing_header'],
      ['garbage', [SECRET], 'malformed_header'],
      [`v1=${'a'.repeat(64)}`, [SECRET], 'malformed_header'],
      [`t=soon,v1=${'a'.repeat(64)}`, [SECRET], 'malformed_header'],
      [`t=${NOW},v0=${'a'.repeat(64)}`, [SECRET], 'no_v1_signature'],
    ]
    for (const [header, secrets, reason] of cases) {
      expect(
        (await refusal(verifyStripeSignature(BODY, header, secrets, 300, NOW))).reason,
        String(header),
      ).toBe(reason)
    }
  })
})
