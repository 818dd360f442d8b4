import { randomBytes } from 'node:crypto'
import type { Connection } from '@salesforce/core'
import { checkNetsuite, type NetsuiteTarget } from '../doctor/netsuite.ts'
import { failure } from '../lib/failure.ts'
import { deployPackage } from './deploy.ts'
import { assignPermissionSet, signingSecretPresent, storeSigningSecret } from './salesforce.ts'
import { fingerprint, loadState, saveState, type SetupState } from './state.ts'
import { step, type StepResult } from './step.ts'
import { configureTriggerUser } from './trigger-user.ts'
import { planEndpoint, type StripeClient } from './stripe.ts'
import type { WorkerSecrets } from './worker-secrets.ts'

export interface SetupTarget {
  conn: Connection
  projectDir: string
  workerUrl: string
  integrationUser: string
  relayUser?: string
  secrets: WorkerSecrets
  statePath: string
  stripe?: StripeClient
  netsuite: NetsuiteTarget
  rotateSecret: boolean
}

/** How setup shows a step while it runs (a spinner in the command, nothing in tests). */
export interface Progress {
  start(step: string): void
  status(text: string): void
  stop(result: StepResult): void
}

/**
 * The intake signing secret, the same on both sides: Salesforce signs with it (the External
 * Credential principal), the worker checks with it (SALESFORCE_EVENTS_SECRET). Neither side
 * lets it be read back, so the state file says whether both got the current one; when not (a
 * first run, an interrupted one, --rotate-secret) a new secret goes to both.
 */
async function intakeSecret(t: SetupTarget, state: SetupState): Promise<StepResult> {
  const version = t.conn.getApiVersion()
  const present = await signingSecretPresent(t.conn, version)
  const known = state.intakeSecret
  if (present && known?.credential && known.worker && !t.rotateSecret)
    return step(
      'intake signing secret',
      'unchanged',
      `in Concord_Worker (Signer) and the worker, fingerprint ${known.fingerprint}`,
    )
  const secret = randomBytes(32).toString('hex')
  const fp = fingerprint(secret)
  await storeSigningSecret(t.conn, version, secret, present)
  state.intakeSecret = { fingerprint: fp, credential: true, worker: false }
  saveState(t.statePath, state)
  await t.secrets.put('SALESFORCE_EVENTS_SECRET', secret)
  state.intakeSecret.worker = true
  saveState(t.statePath, state)
  const why = t.rotateSecret
    ? 'rotated'
    : known
      ? 'replaced (an earlier run did not finish storing it)'
      : 'generated'
  return step(
    'intake signing secret',
    present || known ? 'updated' : 'created',
    `${why}: Concord_Worker (Signer) and SALESFORCE_EVENTS_SECRET via ${t.secrets.where}, fingerprint ${fp}`,
  )
}

/**
 * The Stripe endpoint for `<worker>/v1/webhooks/stripe` with exactly Concord's events. Stripe
 * shows an endpoint's secret only when it creates it, so an endpoint whose secret setup never
 * stored in the worker is replaced by a new one.
 */
async function stripeEndpoint(t: SetupTarget, state: SetupState): Promise<StepResult> {
  const name = 'Stripe webhook endpoint'
  if (!t.stripe) return step(name, 'skipped', 'no --stripe-key given')
  const url = `${t.workerUrl}/v1/webhooks/stripe`
  const existing = await t.stripe.findEndpoint(url)
  const ours = existing && state.stripeEndpoint?.id === existing.id && state.stripeEndpoint.worker
  if (existing && ours) {
    const plan = planEndpoint(existing)
    if (plan.action === 'unchanged')
      return step(name, 'unchanged', `${existing.id} → ${url}, enabled, Concord's events`)
    if (plan.action === 'update') {
      await t.stripe.updateEndpoint(existing.id)
      return step(name, 'updated', `${existing.id}: ${plan.why}; now enabled with Concord's events`)
    }
  }
  if (existing) await t.stripe.deleteEndpoint(existing.id)
  const created = await t.stripe.createEndpoint(url)
  if (!created.secret)
    throw failure({
      doing: 'Registering the Stripe webhook endpoint',
      said: 'Stripe returned no signing secret',
      next: ['Run setup again.'],
    })
  state.stripeEndpoint = { id: created.id, fingerprint: fingerprint(created.secret), worker: false }
  saveState(t.statePath, state)
  await t.secrets.put('STRIPE_WEBHOOK_SECRET', created.secret)
  state.stripeEndpoint.worker = true
  saveState(t.statePath, state)
  return existing
    ? step(
        name,
        'updated',
        `${existing.id} replaced by ${created.id}: its signing secret was never stored in the worker`,
      )
    : step(name, 'created', `${created.id} → ${url}, secret in STRIPE_WEBHOOK_SECRET`)
}

async function netsuite(t: SetupTarget): Promise<StepResult> {
  const checks = await checkNetsuite(t.netsuite)
  const failed = checks.find((c) => c.status === 'fail')
  if (failed)
    throw failure({
      doing: `Checking NetSuite (${failed.check})`,
      said: failed.detail,
      next: [failed.fix ?? ''],
      code: 'NetsuiteCheckFailed',
    })
  if (!t.netsuite.m2m)
    return step('NetSuite M2M and concurrency', 'skipped', 'no NetSuite credentials given')
  return step(
    'NetSuite M2M and concurrency',
    'checked',
    checks.map((c) => `${c.check}: ${c.detail}`).join('; '),
  )
}

/**
 * Every setup step in order, each safe to run again: a step that finds its work done says
 * `unchanged`, and a run cut off anywhere resumes from what the org, Stripe and the state file
 * show. Stops at the first step that fails, with what to do.
 */
export async function runSetup(t: SetupTarget, progress: Progress): Promise<StepResult[]> {
  const state = loadState(t.statePath)
  const results: StepResult[] = []
  const run = async (name: string, work: () => Promise<StepResult>) => {
    progress.start(name)
    const result = await work()
    progress.stop(result)
    results.push(result)
  }
  await run('deploy package', () =>
    deployPackage(t.conn, t.projectDir, t.workerUrl, (s) => progress.status(s)),
  )
  await run('assign Concord_Integration', () =>
    assignPermissionSet(t.conn, 'Concord_Integration', t.integrationUser),
  )
  const relay = t.relayUser
  if (relay) {
    await run('trigger running user', () =>
      configureTriggerUser(t.conn, t.projectDir, relay, (s) => progress.status(s)),
    )
    await run('assign Concord_Relay', () => assignPermissionSet(t.conn, 'Concord_Relay', relay))
  } else
    await run('trigger running user', () =>
      Promise.resolve(
        step(
          'trigger running user',
          'skipped',
          'no --relay-user: the relay trigger keeps its current running user (doctor checks it)',
        ),
      ),
    )
  await run('intake signing secret', () => intakeSecret(t, state))
  await run('Stripe webhook endpoint', () => stripeEndpoint(t, state))
  await run('NetSuite M2M and concurrency', () => netsuite(t))
  return results
}
