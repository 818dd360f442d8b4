/**
 * A small provisioning system that receives Concord's activation webhooks, written from the
 * README's description (not from the worker's code): it checks `X-Concord-Activation-Signature`
 * (`v1=` hex HMAC-SHA256 of `<timestamp>.<raw body>`) in constant time, refuses a timestamp more
 * than five minutes off, and dedupes on `X-Concord-Activation-Id`. A test scripts the statuses it
 * answers with (`failNext`), and reads what it took (`activated`) and every attempt (`attempts`).
 */
export class ProvisioningReceiver {
  /** Every POST that reached it, accepted or not. */
  readonly attempts: Array<{ id: string | null; status: number; reason?: string }> = []
  /** Activations taken, once each, by activation id. */
  readonly activated = new Map<string, { subscriptionKey: string; rule: string; body: unknown }>()
  private script: number[] = []
  private readonly secret: string

  constructor(secret: string) {
    this.secret = secret
  }

  /** The next POSTs are answered with these statuses, one each, before it takes any again. */
  failNext(...statuses: number[]): void {
    this.script.push(...statuses)
  }

  /** Activations taken for `subscriptionKey`. */
  activationsOf(subscriptionKey: string): number {
    return [...this.activated.values()].filter((a) => a.subscriptionKey === subscriptionKey).length
  }

  /** The receiver as a `fetch`: what the worker calls instead of the network. */
  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    const answer = await this.receive(request)
    return new Response(answer.reason ?? null, { status: answer.status })
  }

  private async receive(req: Request): Promise<{ status: number; reason?: string }> {
    const id = req.headers.get('x-concord-activation-id')
    const body = await req.text()
    const refuse = await this.check(req, body)
    const scripted = refuse ? undefined : this.script.shift()
    const status = refuse ? 401 : (scripted ?? 200)
    this.attempts.push({ id, status, reason: refuse })
    if (status !== 200 || !id) return { status, reason: refuse }
    if (!this.activated.has(id)) {
      const parsed = JSON.parse(body) as { data: { subscriptionKey: string; rule: string } }
      this.activated.set(id, { ...parsed.data, body: parsed })
    }
    return { status: 200 }
  }

  /** Why the request is refused, or undefined when it is signed and fresh. */
  private async check(req: Request, body: string): Promise<string | undefined> {
    const timestamp = req.headers.get('x-concord-activation-timestamp') ?? ''
    const signature = req.headers.get('x-concord-activation-signature') ?? ''
    if (!/^\d+$/.test(timestamp)) return 'no timestamp'
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return 'stale timestamp'
    const expected = `v1=${await hmacHex(this.secret, `${timestamp}.${body}`)}`
    return equal(expected, signature) ? undefined : 'bad signature'
  }
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const enc = new TextEncoder()
  const key = await crypto.subtle.importKey(
    'raw',
    enc.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(message)))
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** Compares in time that depends only on the length. */
function equal(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
