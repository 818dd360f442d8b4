import { join, resolve } from 'node:path'
import { Flags, SfCommand } from '@salesforce/sf-plugins-core'
import { checkTable, type CheckResult } from '../../doctor/check.ts'
import { runDoctor } from '../../doctor/run.ts'
import { redact } from '../../lib/failure.ts'
import { installationFlags, netsuiteFlags, netsuiteM2m, workerFlags } from '../../lib/flags.ts'
import { connectionOf } from '../../lib/org.ts'
import { renderTable } from '../../lib/table.ts'
import { runSetup } from '../../setup/run.ts'
import type { StepResult } from '../../setup/step.ts'
import { StripeClient } from '../../setup/stripe.ts'
import {
  cloudflareSecrets,
  devVarsSecrets,
  wranglerSecrets,
  type WorkerSecrets,
} from '../../setup/worker-secrets.ts'

export interface SetupResult {
  ok: boolean
  steps: StepResult[]
  doctor: CheckResult[]
}

/**
 * `sf concord setup`: deploys the package with this worker's URL, assigns the permission sets,
 * puts one new intake signing secret in the External Credential and the worker, registers the
 * Stripe webhook endpoint and stores its secret, checks NetSuite, then runs doctor. Every step
 * can run again: a second run reports `unchanged`, an interrupted one resumes.
 */
export default class Setup extends SfCommand<SetupResult> {
  public static override readonly summary =
    'Set up Concord end to end: package, permission sets, secrets, Stripe webhook, NetSuite check, doctor.'
  public static override readonly description =
    'Idempotent: run it again to check or repair; each step says created, updated or unchanged. Secrets are generated here and stored, never printed.'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --target-org concord --worker-url https://concord.example.workers.dev --stripe-key rk_live_…',
    '<%= config.bin %> <%= command.id %> --target-org concord --worker-url https://concord.example.workers.dev --cloudflare-token … --cloudflare-account … --worker-name concord',
  ]
  public static override readonly enableJsonFlag = true
  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    ...workerFlags,
    ...installationFlags,
    'project-dir': Flags.directory({
      summary: 'The Concord checkout (holds sfdx/ and lwc/).',
      default: '.',
    }),
    'state-file': Flags.string({
      summary: 'Where setup remembers what it did (no secrets in it).',
    }),
    'rotate-secret': Flags.boolean({
      summary: 'Generate a new intake signing secret even if one is in place.',
    }),
    'worker-name': Flags.string({
      summary: 'The worker’s name in Cloudflare (wrangler.toml `name`).',
    }),
    'dev-vars': Flags.file({
      summary:
        'Write the worker secrets to this .dev.vars file (local stack) instead of Cloudflare.',
    }),
    'cloudflare-token': Flags.string({
      summary:
        'Cloudflare API token (Workers Scripts: Edit): secrets through the API instead of wrangler. Never printed.',
      env: 'CLOUDFLARE_API_TOKEN',
      dependsOn: ['cloudflare-account', 'worker-name'],
    }),
    'cloudflare-account': Flags.string({
      summary: 'Cloudflare account id.',
      env: 'CLOUDFLARE_ACCOUNT_ID',
    }),
    'cloudflare-api-base': Flags.string({
      default: 'https://api.cloudflare.com/client/v4',
      hidden: true,
    }),
    ...netsuiteFlags,
  }

  private workerSecrets(flags: {
    'dev-vars'?: string
    'cloudflare-token'?: string
    'cloudflare-account'?: string
    'cloudflare-api-base': string
    'worker-name'?: string
    'project-dir': string
  }): WorkerSecrets {
    if (flags['dev-vars']) return devVarsSecrets(flags['dev-vars'])
    if (flags['cloudflare-token'])
      return cloudflareSecrets({
        apiBase: flags['cloudflare-api-base'],
        token: flags['cloudflare-token'],
        accountId: flags['cloudflare-account'] ?? '',
        workerName: flags['worker-name'] ?? '',
      })
    return wranglerSecrets({ workerName: flags['worker-name'], cwd: resolve(flags['project-dir']) })
  }

  public async run(): Promise<SetupResult> {
    const { flags } = await this.parse(Setup)
    const org = flags['target-org']
    const conn = connectionOf(org)
    const workerUrl = flags['worker-url'].toString().replace(/\/+$/, '')
    const projectDir = resolve(flags['project-dir'])
    const netsuite = { m2m: netsuiteM2m(flags), concurrency: flags['netsuite-concurrency'] }
    const secrets = [
      flags.token,
      flags['stripe-key'],
      flags['cloudflare-token'],
      conn.accessToken ?? undefined,
    ]
    const steps = await runSetup(
      {
        conn,
        projectDir,
        workerUrl,
        integrationUser: flags['integration-user'] ?? org.getUsername() ?? '',
        relayUser: flags['relay-user'],
        secrets: this.workerSecrets(flags),
        statePath:
          flags['state-file'] ?? join(projectDir, '.concord', `setup-${org.getOrgId()}.json`),
        stripe: flags['stripe-key']
          ? new StripeClient(flags['stripe-api-base'], flags['stripe-key'])
          : undefined,
        netsuite,
        rotateSecret: flags['rotate-secret'],
      },
      {
        start: (name) => this.spinner.start(name),
        status: (text) => (this.spinner.status = text),
        stop: (r) => this.spinner.stop(r.outcome),
      },
    )
    const clean = steps.map((s) => ({ ...s, detail: redact(s.detail, secrets) }))
    this.log('')
    for (const line of renderTable(clean, [
      { header: 'STEP', get: (s) => s.step, max: 30 },
      { header: 'RESULT', get: (s) => s.outcome, max: 9 },
      { header: 'DETAIL', get: (s) => s.detail, max: 80 },
    ]))
      this.log(line)
    const changed = clean.filter((s) => s.outcome === 'created' || s.outcome === 'updated').length
    this.log(
      changed
        ? `${changed} step(s) changed something.`
        : 'Nothing changed: the installation was already set up.',
    )
    this.log('')
    this.spinner.start('doctor')
    const doctor = await runDoctor({
      conn,
      org: org.getUsername() ?? 'concord',
      integrationUser: flags['integration-user'],
      relayUser: flags['relay-user'],
      workerUrl,
      token: flags.token,
      stripeKey: flags['stripe-key'],
      stripeApiBase: flags['stripe-api-base'],
      netsuite,
    })
    const failed = doctor.filter((c) => c.status === 'fail')
    this.spinner.stop(failed.length ? `${failed.length} fail` : 'all pass')
    for (const line of checkTable(doctor)) this.log(line)
    if (failed.length) process.exitCode = 1
    return { ok: failed.length === 0, steps: clean, doctor }
  }
}
