import { pass, warn, fail, type CheckResult, type ClockSample } from './check.ts'

/** The worker refuses a signed request more than 5 minutes off its own clock. */
export const SIGNATURE_TOLERANCE_S = 300

/** Seconds a server's Date header is ahead of this machine (its clock at the request's midpoint). */
export function skewSeconds(s: ClockSample): number | undefined {
  if (!s.date) return undefined
  const server = Date.parse(s.date)
  if (Number.isNaN(server)) return undefined
  return (server - (s.sentAt + s.receivedAt) / 2) / 1000
}

/**
 * Clock skew from the HTTP Date headers (whole seconds, so ±1 s is noise): each server against
 * this machine, and Salesforce against the worker, whose request signatures allow 5 minutes.
 */
export function checkClocks(samples: ClockSample[]): CheckResult[] {
  const skews = new Map<string, number>()
  for (const s of samples) {
    const v = skewSeconds(s)
    if (v !== undefined) skews.set(s.source, v)
  }
  if (!skews.size)
    return [
      warn(
        'clock',
        'skew',
        'no server sent a Date header',
        'Nothing to do unless signatures are refused as expired.',
      ),
    ]
  const parts = [...skews].map(
    ([k, v]) => `${k} ${Math.round(v) > 0 ? '+' : ''}${Math.round(v) || 0} s`,
  )
  const detail = `against this machine: ${parts.join(', ')}`
  const sf = skews.get('salesforce')
  const worker = skews.get('worker')
  if (sf !== undefined && worker !== undefined && Math.abs(sf - worker) > SIGNATURE_TOLERANCE_S)
    return [
      fail(
        'clock',
        'skew',
        `${detail}: Salesforce and the worker are ${Math.abs(sf - worker).toFixed(0)} s apart`,
        'Signed events are refused past 5 minutes of skew: the worker runs on Cloudflare’s clock, so look at the Salesforce side (or the proxy in front of the worker).',
      ),
    ]
  const worst = Math.max(...[...skews.values()].map(Math.abs))
  if (worst > 60)
    return [
      warn(
        'clock',
        'skew',
        detail,
        'This machine’s clock is off (or a server’s is): sync it with NTP so the times shown here are right.',
      ),
    ]
  return [pass('clock', 'skew', detail)]
}
