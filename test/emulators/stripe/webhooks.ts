import { createHmac } from 'node:crypto'
import { seededRandom } from '../common/faults.ts'
import type { StripeEvent, WebhookEndpoint } from './types.ts'

/**
 * How events reach endpoints. Stripe promises neither order nor single delivery
 * (https://docs.stripe.com/webhooks#event-ordering); these knobs reproduce both, from a seed.
 */
export interface DeliveryMode {
  /** Deliver each batch of due events in a seeded random order. */
  shuffle?: boolean
  /** Probability 0..1 that an event is delivered a second time (same event id). */
  duplicateRate?: number
  /**
   * Probability 0..1 that an event is lost: never sent to the endpoint, as when Stripe gives up
   * or a delivery never arrives. It stays in `GET /v1/events` (Stripe keeps events 30 days),
   * which is how a consumer finds it again. Logged in `deliveries()` with `lost: true`.
   */
  loseRate?: number
  /** Event types (`type` or `prefix.*`) that are always lost while set. */
  loseTypes?: string[]
  /** Fixed delay before an event's first attempt. */
  delayMs?: number
  /** Extra seeded random delay 0..jitterMs per event (reorders events on its own). */
  jitterMs?: number
  seed?: number
  /** Hold every delivery until `resume()` or `flush()`. */
  paused?: boolean
  /** Attempts per event and endpoint, first included. */
  maxAttempts?: number
  /** Backoff before retry n is `retryBaseMs × 2^(n-1)`. */
  retryBaseMs?: number
  timeoutMs?: number
}

/** One HTTP attempt to deliver one event to one endpoint. */
export interface Delivery {
  seq: number
  eventId: string
  type: string
  endpointId: string
  url: string
  attempt: number
  duplicate: boolean
  /** True when the fault injection lost the event: nothing was sent. */
  lost?: boolean
  /** HTTP status, or 0 when the request failed (refused, timed out). */
  status: number
  ok: boolean
  error?: string
  signature: string
  at: number
  durationMs: number
}

interface Job {
  event: StripeEvent
  endpoint: WebhookEndpoint
  attempt: number
  dueAt: number
  duplicate: boolean
}

/** `Stripe-Signature` for `payload`: `t=<unix>,v1=<hex HMAC-SHA256("t.payload", secret)>`. */
export function signPayload(
  payload: string,
  secret: string,
  t = Math.floor(Date.now() / 1000),
): string {
  const v1 = createHmac('sha256', secret).update(`${t}.${payload}`).digest('hex')
  return `t=${t},v1=${v1}`
}

const DEFAULTS: Required<Omit<DeliveryMode, 'seed'>> = {
  shuffle: false,
  duplicateRate: 0,
  loseRate: 0,
  loseTypes: [],
  delayMs: 0,
  jitterMs: 0,
  paused: false,
  maxAttempts: 4,
  retryBaseMs: 100,
  timeoutMs: 10_000,
}

/** Queues events per endpoint and delivers them asynchronously, signed, with bounded retries. */
export class Webhooks {
  mode: Required<Omit<DeliveryMode, 'seed'>> = { ...DEFAULTS }
  private random = seededRandom(1)
  private queue: Job[] = []
  private log: Delivery[] = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private draining: Promise<void> = Promise.resolve()
  private busy = 0
  private readonly onDelivered: (eventId: string) => void

  constructor(mode: DeliveryMode = {}, onDelivered: (eventId: string) => void = () => {}) {
    this.onDelivered = onDelivered
    this.setMode(mode)
  }

  setMode(mode: DeliveryMode): void {
    const { seed, ...rest } = mode
    this.mode = { ...this.mode, ...rest }
    if (seed !== undefined) this.random = seededRandom(seed)
    this.schedule()
  }

  enqueue(event: StripeEvent, endpoints: WebhookEndpoint[]): void {
    for (const endpoint of endpoints) {
      if (this.loses(event.type)) {
        this.noteLost(event, endpoint)
        continue
      }
      const copies = this.random() < this.mode.duplicateRate ? 2 : 1
      for (let i = 0; i < copies; i++) {
        const jitter = this.mode.jitterMs ? Math.floor(this.random() * this.mode.jitterMs) : 0
        this.queue.push({
          event,
          endpoint,
          attempt: 1,
          dueAt: Date.now() + this.mode.delayMs + jitter,
          duplicate: i > 0,
        })
      }
    }
    this.schedule()
  }

  private loses(type: string): boolean {
    const byType = this.mode.loseTypes.some((t) =>
      t.endsWith('.*') ? type.startsWith(t.slice(0, -1)) : t === type,
    )
    return byType || (this.mode.loseRate > 0 && this.random() < this.mode.loseRate)
  }

  private noteLost(event: StripeEvent, endpoint: WebhookEndpoint): void {
    this.log.push({
      seq: this.log.length + 1,
      eventId: event.id,
      type: event.type,
      endpointId: endpoint.id,
      url: endpoint.url,
      attempt: 0,
      duplicate: false,
      lost: true,
      status: 0,
      ok: false,
      error: 'lost by fault injection',
      signature: '',
      at: Date.now(),
      durationMs: 0,
    })
  }

  pause(): void {
    this.mode.paused = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }

  resume(): void {
    this.mode.paused = false
    this.schedule()
  }

  /** Delivers everything queued now, retries included (ignoring backoff), and resolves when done. */
  async flush(): Promise<Delivery[]> {
    const before = this.log.length
    await this.run(true)
    await this.draining
    return this.log.slice(before)
  }

  /** Resolves once nothing is queued or in flight (paused queues count as idle). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs
    while ((this.busy > 0 || (this.queue.length > 0 && !this.mode.paused)) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  deliveries(): Delivery[] {
    return this.log
  }

  pending(): { eventId: string; type: string; url: string; attempt: number; dueAt: number }[] {
    return this.queue.map((j) => ({
      eventId: j.event.id,
      type: j.event.type,
      url: j.endpoint.url,
      attempt: j.attempt,
      dueAt: j.dueAt,
    }))
  }

  reset(mode: DeliveryMode = {}): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.queue = []
    this.log = []
    this.mode = { ...DEFAULTS }
    this.random = seededRandom(1)
    this.setMode(mode)
  }

  private schedule(): void {
    if (this.mode.paused || this.queue.length === 0) return
    const next = Math.min(...this.queue.map((j) => j.dueAt))
    const wait = Math.max(0, next - Date.now())
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.run(false)
    }, wait)
  }

  /** One drain pass at a time, so deliveries to an endpoint never run concurrently. */
  private run(force: boolean): Promise<void> {
    this.draining = this.draining.then(() => this.drain(force))
    return this.draining
  }

  private async drain(force: boolean): Promise<void> {
    for (;;) {
      if (!force && this.mode.paused) return
      const now = Date.now()
      const due = this.queue
        .filter((j) => force || j.dueAt <= now)
        .sort((a, b) => a.dueAt - b.dueAt)
      if (due.length === 0) break
      this.queue = this.queue.filter((j) => !due.includes(j))
      if (this.mode.shuffle) {
        for (let i = due.length - 1; i > 0; i--) {
          const k = Math.floor(this.random() * (i + 1))
          ;[due[i], due[k]] = [due[k] as Job, due[i] as Job]
        }
      }
      for (const job of due) await this.attempt(job)
    }
    this.schedule()
  }

  private async attempt(job: Job): Promise<void> {
    this.busy++
    const payload = JSON.stringify(job.event)
    const signature = signPayload(payload, job.endpoint.secret ?? '')
    const started = Date.now()
    let status = 0
    let error: string | undefined
    try {
      const res = await fetch(job.endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signature,
        },
        body: payload,
        signal: AbortSignal.timeout(this.mode.timeoutMs),
      })
      status = res.status
      await res.arrayBuffer().catch(() => undefined)
    } catch (err) {
      error = err instanceof Error ? err.message : String(err)
    } finally {
      this.busy--
    }
    const ok = status >= 200 && status < 300
    this.log.push({
      seq: this.log.length + 1,
      eventId: job.event.id,
      type: job.event.type,
      endpointId: job.endpoint.id,
      url: job.endpoint.url,
      attempt: job.attempt,
      duplicate: job.duplicate,
      status,
      ok,
      error,
      signature,
      at: started,
      durationMs: Date.now() - started,
    })
    if (ok) {
      if (!job.duplicate) this.onDelivered(job.event.id)
      return
    }
    if (job.attempt < this.mode.maxAttempts) {
      const backoff = this.mode.retryBaseMs * 2 ** (job.attempt - 1)
      this.queue.push({ ...job, attempt: job.attempt + 1, dueAt: Date.now() + backoff })
    }
  }
}
