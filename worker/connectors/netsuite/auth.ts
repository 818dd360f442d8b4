/** How a NetSuite request is authenticated: a bearer token (M2M) or a per-request signature (TBA). */
export interface NetsuiteAuth {
  readonly flow: 'm2m' | 'tba'
  /**
   * The `Authorization` header for one request to `url` (query included: TBA signs it).
   * @throws ConnectorError (transient) when no credential can be had right now.
   */
  header(method: string, url: string): Promise<string>
  /**
   * Called after NetSuite answered 401 to `header`. Drops whatever produced it and says whether
   * a fresh header could succeed (M2M: a re-minted token), so the client retries exactly once.
   */
  rejected(header: string): boolean
}

const encoder = new TextEncoder()

/** Base64url without padding (JWS, RFC 7515 §2). */
export function base64url(bytes: ArrayBuffer | Uint8Array): string {
  return base64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Standard base64 (the TBA signature). */
export function base64(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)
  let binary = ''
  for (const b of view) binary += String.fromCharCode(b)
  return btoa(binary)
}

/** UTF-8 bytes of `text`, typed for WebCrypto. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text)
}
