import type { EmuResponse } from '../common/router.ts'
import { faultBody } from './errors.ts'

export interface ConcurrencyState {
  /** Account-wide limit on requests in flight (SOAP, REST and RESTlets share it in NetSuite). */
  limit: number
  /** Extra time every governed request holds its slot, so tests can make requests overlap. */
  latencyMs: number
  inFlight: number
  /**
   * Most requests ever in flight at once, counting the one arriving even if it is refused. A
   * client that kept within the limit leaves `peak <= limit`; one that overran it shows
   * `limit + 1` (refusals are immediate, so they never pile up on one another).
   */
  peak: number
  /** Most requests ever admitted at once (never above `limit`). */
  peakAdmitted: number
  /** Requests answered 429 for being over the limit. */
  rejected: number
  /** Requests admitted. */
  admitted: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * NetSuite's account concurrency governance: one pool for every web-services request; a request
 * arriving when the pool is full is refused at once, not queued. REST answers 429 Too Many
 * Requests (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1525253248.html
 * for the limits; the 429 is third-party-reported). `peak` lets a test assert that a client's own
 * semaphore kept it at or under the limit: any excess shows up there even though it was refused.
 */
export class ConcurrencyGate {
  private s: ConcurrencyState

  constructor(limit: number, latencyMs = 0) {
    this.s = { limit, latencyMs, inFlight: 0, peak: 0, peakAdmitted: 0, rejected: 0, admitted: 0 }
  }

  configure(input: { limit?: number; latencyMs?: number }): void {
    if (input.limit !== undefined) this.s.limit = input.limit
    if (input.latencyMs !== undefined) this.s.latencyMs = input.latencyMs
  }

  /** Zeroes the counters (limit and latency stay). */
  resetCounters(): void {
    Object.assign(this.s, { peak: 0, peakAdmitted: 0, rejected: 0, admitted: 0 })
  }

  state(): ConcurrencyState {
    return { ...this.s }
  }

  /** Runs `work` holding one slot, or answers 429 when none is free. */
  async run(work: () => Promise<EmuResponse>): Promise<EmuResponse> {
    const s = this.s
    s.peak = Math.max(s.peak, s.inFlight + 1)
    if (s.inFlight >= s.limit) {
      s.rejected += 1
      return { status: 429, body: faultBody(429) }
    }
    s.inFlight += 1
    s.admitted += 1
    s.peakAdmitted = Math.max(s.peakAdmitted, s.inFlight)
    try {
      if (s.latencyMs > 0) await sleep(s.latencyMs)
      return await work()
    } finally {
      s.inFlight -= 1
    }
  }
}
