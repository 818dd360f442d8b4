/**
 * The few cookie rules a CometD client needs: Salesforce's `/cometd` answers the handshake with
 * `BAYEUX_BROWSER` (and may add load-balancer cookies) and refuses later calls that do not send
 * them back ("the client must accept and send back cookies").
 * https://developer.salesforce.com/docs/platform/api-streaming/guide/intro-client-specs.html
 *
 * One jar talks to one endpoint, so Domain and Path are not matched; expiry is honoured so a
 * server can clear a cookie (`Max-Age=0` or a past `Expires`).
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>()

  /** Takes every `Set-Cookie` of a response (each header separately, as `getSetCookie` gives them). */
  store(headers: Headers, now = Date.now()): void {
    for (const line of headers.getSetCookie()) this.storeOne(line, now)
  }

  storeOne(line: string, now = Date.now()): void {
    const [pair = '', ...attributes] = line.split(';')
    const eq = pair.indexOf('=')
    if (eq <= 0) return
    const name = pair.slice(0, eq).trim()
    const value = pair.slice(eq + 1).trim()
    if (!name) return
    if (isExpired(attributes, now)) this.cookies.delete(name)
    else this.cookies.set(name, value)
  }

  /** The `Cookie` request header, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  clear(): void {
    this.cookies.clear()
  }
}

function isExpired(attributes: string[], now: number): boolean {
  for (const attribute of attributes) {
    const eq = attribute.indexOf('=')
    const key = (eq < 0 ? attribute : attribute.slice(0, eq)).trim().toLowerCase()
    const value = eq < 0 ? '' : attribute.slice(eq + 1).trim()
    // Max-Age wins over Expires (RFC 6265 §5.3), so it decides as soon as it is seen.
    if (key === 'max-age' && /^-?\d+$/.test(value)) return Number(value) <= 0
  }
  for (const attribute of attributes) {
    const eq = attribute.indexOf('=')
    if (eq < 0 || attribute.slice(0, eq).trim().toLowerCase() !== 'expires') continue
    const at = Date.parse(attribute.slice(eq + 1).trim())
    return !Number.isNaN(at) && at <= now
  }
  return false
}
