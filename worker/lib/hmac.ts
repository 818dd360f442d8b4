const encoder = new TextEncoder()

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)
  let out = ''
  for (const b of view) out += b.toString(16).padStart(2, '0')
  return out
}

/**
 * Imported signing keys by secret: a webhook or a signed request is verified under one of a few
 * configured secrets, so importing the key once per isolate spares each request that work. The
 * key itself is kept, never a promise of it (workerd ties a promise to the request that made it).
 * Bounded: the secrets are few.
 */
const keys = new Map<string, CryptoKey>()
const KEYS_MAX = 64

async function signingKey(secret: string): Promise<CryptoKey> {
  const held = keys.get(secret)
  if (held) return held
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  if (keys.size >= KEYS_MAX) keys.clear()
  keys.set(secret, key)
  return key
}

/** HMAC-SHA256 of `message` under `secret`, hex encoded. */
export async function hmacSha256Hex(
  secret: string,
  message: string | Uint8Array<ArrayBuffer>,
): Promise<string> {
  const key = await signingKey(secret)
  const data = typeof message === 'string' ? encoder.encode(message) : message
  return toHex(await crypto.subtle.sign('HMAC', key, data))
}

/** SHA-256 of `message` (a string is hashed as its UTF-8 bytes), hex encoded. */
export async function sha256Hex(message: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const data = typeof message === 'string' ? encoder.encode(message) : message
  return toHex(await crypto.subtle.digest('SHA-256', data))
}

/**
 * Compares two strings in time that depends only on their length, so a caller can't learn a
 * signature byte by byte. Uses workerd's `timingSafeEqual`.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a)
  const right = encoder.encode(b)
  if (left.byteLength !== right.byteLength) return false
  // workerd's extension to SubtleCrypto; Node's typings (pulled in by vitest) don't declare it.
  const subtle = crypto.subtle as unknown as {
    timingSafeEqual(a: ArrayBufferView, b: ArrayBufferView): boolean
  }
  return subtle.timingSafeEqual(left, right)
}
