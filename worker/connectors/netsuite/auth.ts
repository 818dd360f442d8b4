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

/** UTF-8 bytes of `text`, typed for WebCrypto. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text)
}
