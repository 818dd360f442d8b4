import { Flags, SfCommand } from '@salesforce/sf-plugins-core'
import { checkTable, type CheckResult } from '../../doctor/check.ts'
import { runDoctor } from '../../doctor/run.ts'
import { installationFlags, netsuiteFlags, netsuiteM2m, workerFlags } from '../../lib/flags.ts'
import { connectionOf } from '../../lib/org.ts'

export interface DoctorResult {
  ok: boolean
  checks: CheckResult[]
}

/** `sf concord doctor`: checks every link of an installation and says how to fix each broken one. */
export default class Doctor extends SfCommand<DoctorResult> {
  public static override readonly summary =
    'Check every link of a Concord installation: Salesforce, the worker, Stripe, NetSuite, clocks.'
  public static override readonly description =
    'Prints one line per check (pass, warn or fail) with the fix for each problem. Exits 1 when any check fails. The worker token and the Stripe key are never printed.'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --target-org concord --worker-url https://concord.example.workers.dev',
    'CONCORD_TOKEN=op_… CONCORD_STRIPE_KEY=rk_live_… <%= config.bin %> <%= command.id %> --target-org concord --worker-url https://concord.example.workers.dev --json',
  ]
  public static override readonly enableJsonFlag = true

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    ...workerFlags,
    ...installationFlags,
    ...netsuiteFlags,
  }

  public async run(): Promise<DoctorResult> {
    const { flags } = await this.parse(Doctor)
    const org = flags['target-org']
    const checks = await runDoctor({
      conn: connectionOf(org),
      org: org.getUsername() ?? 'concord',
      integrationUser: flags['integration-user'],
      relayUser: flags['relay-user'],
      workerUrl: flags['worker-url'].toString().replace(/\/+$/, ''),
      token: flags.token,
      stripeKey: flags['stripe-key'],
      stripeApiBase: flags['stripe-api-base'],
      netsuite: { m2m: netsuiteM2m(flags), concurrency: flags['netsuite-concurrency'] },
    })
    for (const line of checkTable(checks)) this.log(line)
    const failed = checks.filter((c) => c.status === 'fail').length
    const warned = checks.filter((c) => c.status === 'warn').length
    this.log(
      `${checks.length} checks: ${checks.length - failed - warned} pass, ${warned} warn, ${failed} fail`,
    )
    if (failed) process.exitCode = 1
    return { ok: failed === 0, checks }
  }
}
