import type { Connection } from '@salesforce/core'
import { messageOf } from '../lib/failure.ts'
import { fail, pass, warn, type CheckResult } from './check.ts'

/** What the package's `ConcordPing` Apex REST resource answers (sfdx/.../setup/ConcordPing.cls). */
export interface PingResult {
  state: 'ok' | 'refused' | 'unreachable' | 'failed'
  httpStatus: number
  errorCode: string | null
  message: string | null
  requestId: string | null
  key: string | null
  skewSeconds: number | null
  endpoint: string | null
}

export interface RoundTripTarget {
  conn: Connection
  org: string
  workerUrl: string
}

const CHECK = 'signed round trip from Salesforce'
/** Past this the worker still accepts (its window is 5 minutes) but the clocks want fixing. */
const SKEW_WARN_SECONDS = 60
const sameOrigin = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '')

function refused(t: RoundTripTarget, r: PingResult): CheckResult {
  return fail(
    'salesforce',
    CHECK,
    `the worker refused Salesforce's signed call (${r.httpStatus} ${r.errorCode ?? ''}: ${r.message ?? ''}${r.requestId ? `, request ${r.requestId}` : ''})`,
    `The signing secret in Concord_Worker (principal Signer) is not the worker's SALESFORCE_EVENTS_SECRET, or Salesforce's clock is over 5 minutes off: put one new secret on both sides with sf concord setup --target-org ${t.org} --worker-url ${t.workerUrl} --rotate-secret.`,
  )
}

function unreachable(t: RoundTripTarget, r: PingResult): CheckResult {
  const url = r.endpoint ?? '(unreadable: the user cannot read setup objects)'
  const elsewhere = r.endpoint && !sameOrigin(r.endpoint, t.workerUrl)
  return fail(
    'salesforce',
    CHECK,
    `Salesforce could not reach the worker through the Named Credential Concord_Worker (URL ${url})${r.httpStatus ? `: HTTP ${r.httpStatus}` : ''}`,
    elsewhere
      ? `The Named Credential points at ${r.endpoint}, not ${t.workerUrl}: sf concord setup --target-org ${t.org} --worker-url ${t.workerUrl} redeploys it with this URL (or edit it in Setup → Named Credentials).`
      : `Check that ${url} is reachable from the internet and the worker is deployed; that the Signer principal of Concord_Worker holds its SigningSecret (sf concord setup stores it); and that you hold Concord_Admin (the principal's access).`,
  )
}

function answered(t: RoundTripTarget, r: PingResult): CheckResult {
  const skew = r.skewSeconds ?? 0
  const detail = `Salesforce → ${r.endpoint ?? 'Concord_Worker'}: signature accepted with the worker's ${r.key} secret, clock skew ${skew} s`
  if (r.key !== 'current')
    return warn(
      'salesforce',
      CHECK,
      detail,
      'Salesforce still signs with the secret before the last rotation: store the new one in Concord_Worker (sf concord setup --rotate-secret puts one on both sides), then remove SALESFORCE_EVENTS_SECRET_PREVIOUS from the worker.',
    )
  if (Math.abs(skew) > SKEW_WARN_SECONDS)
    return warn(
      'salesforce',
      CHECK,
      detail,
      'The worker refuses signatures more than 5 minutes off: check the time of the machine the worker’s clock comes from (Cloudflare’s is NTP-synced; Salesforce’s too, so a skew usually means a test clock).',
    )
  return pass('salesforce', CHECK, detail)
}

/**
 * Has Salesforce itself call the worker: the package's `ConcordPing` Apex REST resource makes
 * the signed callout amendments and the Concord Setup page make (Named Credential, principal
 * secret, platform-evaluated signature) to `GET /v1/salesforce/ping` and says what the worker
 * answered. A good answer proves the URL, the secret on both sides and the clock from inside the org.
 */
export async function checkRoundTrip(t: RoundTripTarget): Promise<CheckResult> {
  let r: PingResult
  try {
    r = await t.conn.apex.get<PingResult>('/concord/ping')
  } catch (err) {
    const notThere = /NOT_FOUND|Could not find a match/i.test(messageOf(err))
    return fail(
      'salesforce',
      CHECK,
      `calling ConcordPing (/services/apexrest/concord/ping) failed: ${messageOf(err)}`,
      notThere
        ? `The package in the org predates ConcordPing: deploy it (sf concord setup --target-org ${t.org} --worker-url ${t.workerUrl}).`
        : 'You need access to the ConcordPing class: it comes with Concord_Operations (the Concord_Admin group).',
    )
  }
  if (r.state === 'ok') return answered(t, r)
  if (r.state === 'refused') return refused(t, r)
  if (r.state === 'unreachable') return unreachable(t, r)
  return fail(
    'salesforce',
    CHECK,
    `the worker answered ${r.httpStatus} ${r.errorCode ?? ''}: ${r.message ?? ''}`,
    'Deploy the package and the worker from the same release (sf concord setup, npx wrangler deploy).',
  )
}
