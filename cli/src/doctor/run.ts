import type { Connection } from '@salesforce/core'
import { redact } from '../lib/failure.ts'
import { WorkerApi } from '../lib/worker-api.ts'
import type { CheckResult, ClockSample } from './check.ts'
import { checkClocks } from './clock.ts'
import { checkNetsuite, type NetsuiteTarget } from './netsuite.ts'
import { checkRoundTrip } from './round-trip.ts'
import { checkSalesforce } from './salesforce.ts'
import { checkStripe } from './stripe.ts'
import { checkTriggerUsers } from './trigger-user.ts'
import { checkWorker } from './worker.ts'

export interface DoctorTarget {
  conn: Connection
  org: string
  integrationUser?: string
  /** The user the relay trigger should run as, when the admin names it. */
  relayUser?: string
  workerUrl: string
  token?: string
  stripeKey?: string
  stripeApiBase: string
  netsuite: NetsuiteTarget
}

async function sampleDate(source: string, url: string): Promise<ClockSample | undefined> {
  const sentAt = Date.now()
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) })
    await res.arrayBuffer()
    return { source, date: res.headers.get('date'), sentAt, receivedAt: Date.now() }
  } catch {
    return undefined
  }
}

/** Every check, Salesforce, worker and Stripe side by side, then the clocks they reported. */
export async function runDoctor(t: DoctorTarget): Promise<CheckResult[]> {
  const clock: ClockSample[] = []
  const target = { conn: t.conn, org: t.org, workerUrl: t.workerUrl }
  const [salesforce, triggers, roundTrip, worker, stripe, netsuite, sfClock] = await Promise.all([
    checkSalesforce({ conn: t.conn, org: t.org, integrationUser: t.integrationUser }),
    checkTriggerUsers({ ...target, relayUser: t.relayUser }),
    checkRoundTrip(target),
    checkWorker(new WorkerApi(t.workerUrl, t.token), clock),
    checkStripe({ key: t.stripeKey, apiBase: t.stripeApiBase, workerUrl: t.workerUrl }, clock),
    checkNetsuite(t.netsuite),
    sampleDate('salesforce', `${t.conn.instanceUrl}/services/data`),
  ])
  if (sfClock) clock.push(sfClock)
  // A vendor may echo what it was sent (a key in an error message): nothing secret leaves here.
  const secrets = [
    t.token,
    t.stripeKey,
    t.conn.accessToken ?? undefined,
    t.netsuite.m2m?.privateKeyPem,
  ]
  return [
    ...salesforce,
    ...triggers,
    roundTrip,
    ...worker,
    ...stripe,
    ...netsuite,
    ...checkClocks(clock),
  ].map((c) => ({
    ...c,
    detail: redact(c.detail, secrets),
    fix: c.fix === undefined ? undefined : redact(c.fix, secrets),
  }))
}
