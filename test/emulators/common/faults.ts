/**
 * Fault injection shared by the emulators. Rules are matched against `METHOD /path` of each
 * request (a substring or a /regex/), so a test can make one route flaky and leave the rest.
 */
export interface FaultRule {
  /** Substring of `METHOD /path`, or a regex source wrapped in slashes. Empty = every route. */
  route?: string
  /** Probability 0..1 that a matching request is faulted. Default 1. */
  rate?: number
  /** Fault only the next N matching requests, then the rule retires. */
  count?: number
  /** Answer with this status (the emulator's vendor-shaped error body). */
  status?: number
  /** Seconds to put in `Retry-After` with the status. */
  retryAfter?: number
  /** Delay before answering (or before the fault). */
  latencyMs?: number
  /** Never answer: hold the socket until the client gives up. */
  hang?: boolean
  /** Let the request take effect, then answer with `status` anyway (a lost response). */
  afterEffect?: boolean
}

export interface Outage {
  route?: string
  untilMs: number
  status: number
}

export interface FaultDecision {
  latencyMs: number
  hang: boolean
  status?: number
  retryAfter?: number
  afterEffect: boolean
}

/** Mulberry32: a small seeded PRNG so a faulted run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function matches(pattern: string | undefined, name: string): boolean {
  if (!pattern) return true
  if (pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/')) {
    return new RegExp(pattern.slice(1, -1)).test(name)
  }
  return name.includes(pattern)
}

/** Holds the active rules and outages and decides, per request, what fault (if any) applies. */
export class Faults {
  rules: FaultRule[] = []
  outages: Outage[] = []
  private random = seededRandom(1)

  seed(seed: number): void {
    this.random = seededRandom(seed)
  }

  set(rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r }))
  }

  addOutage(seconds: number, status = 503, route?: string): Outage {
    const outage = { route, untilMs: Date.now() + seconds * 1000, status }
    this.outages.push(outage)
    return outage
  }

  clear(): void {
    this.rules = []
    this.outages = []
  }

  /** `name` is `METHOD /path` of the request. */
  decide(name: string): FaultDecision {
    const now = Date.now()
    this.outages = this.outages.filter((o) => o.untilMs > now)
    const outage = this.outages.find((o) => matches(o.route, name))
    const decision: FaultDecision = { latencyMs: 0, hang: false, afterEffect: false }
    if (outage) {
      decision.status = outage.status
      decision.retryAfter = Math.ceil((outage.untilMs - now) / 1000)
      return decision
    }
    for (const rule of this.rules) {
      if (!matches(rule.route, name)) continue
      if (rule.count !== undefined && rule.count <= 0) continue
      decision.latencyMs = Math.max(decision.latencyMs, rule.latencyMs ?? 0)
      if (rule.status === undefined && !rule.hang) continue
      if (this.random() >= (rule.rate ?? 1)) continue
      if (rule.count !== undefined) rule.count -= 1
      decision.hang = rule.hang ?? false
      decision.status = rule.status
      decision.retryAfter = rule.retryAfter
      decision.afterEffect = rule.afterEffect ?? false
      return decision
    }
    return decision
  }
}
