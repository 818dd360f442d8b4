/** The org's API usage as the last response reported it (`Sforce-Limit-Info: api-usage=N/M`). */
export interface ApiLimits {
  /** Calls counted in the rolling 24 h window. */
  used: number
  /** The org's daily allocation. */
  max: number
  /** Epoch ms when the header was read. */
  observedAt: number
  /** `per-app-api-usage=N/M(appName=…)` when the connected app has its own cap. */
  perApp?: { used: number; max: number; appName?: string }
}

/**
 * Reads `Sforce-Limit-Info`, e.g. `api-usage=25/5000; per-app-api-usage=17/250(appName=concord)`.
 * Returns undefined when the header is absent or has no `api-usage`.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
 */
export function parseLimitInfo(
  header: string | null | undefined,
  now = Date.now(),
): ApiLimits | undefined {
  if (!header) return undefined
  const api = /(?:^|[;,\s])api-usage=(\d+)\/(\d+)/.exec(header)
  if (!api) return undefined
  const limits: ApiLimits = { used: Number(api[1]), max: Number(api[2]), observedAt: now }
  const app = /per-app-api-usage=(\d+)\/(\d+)(?:\(appName=([^)]*)\))?/.exec(header)
  if (app) limits.perApp = { used: Number(app[1]), max: Number(app[2]), appName: app[3] }
  return limits
}

/**
 * The latest API usage seen by every client sharing this tracker (isolate-wide per org when
 * built by `salesforceFromEnv`), so a writer can budget its flushes from any caller's answer.
 */
export class ApiLimitsTracker {
  private latest?: ApiLimits

  /** Records one response's header; returns what it read, if anything. */
  observe(header: string | null | undefined, now = Date.now()): ApiLimits | undefined {
    const limits = parseLimitInfo(header, now)
    if (limits && (!this.latest || this.latest.observedAt <= limits.observedAt))
      this.latest = limits
    return limits
  }

  current(): ApiLimits | undefined {
    return this.latest
      ? { ...this.latest, perApp: this.latest.perApp && { ...this.latest.perApp } }
      : undefined
  }
}
