import { Flags, SfCommand } from '@salesforce/sf-plugins-core'
import { workerApi, workerFlags } from '../../lib/flags.ts'
import { renderTable } from '../../lib/table.ts'
import type { DriftFinding, DriftReport } from '../../lib/worker-types.ts'

const fieldsOf = (f: DriftFinding) =>
  (f.fields ?? [])
    .map((d) => `${d.field}: ${String(d.salesforce)} → ${String(d.billing)}`)
    .join('\n') ||
  f.detail ||
  ''

/**
 * `sf concord reconcile [--account <id>] [--repair]`: compares Salesforce's mirrors with Stripe
 * now and prints every difference with its cause. Without `--repair` it only reports; with it,
 * the worker repairs what Concord owns through the account ledgers, and what it cannot own
 * becomes an exception (`sf concord exceptions list`). `--last` shows the latest report.
 */
export default class Reconcile extends SfCommand<DriftReport> {
  public static override readonly summary =
    'Compare Salesforce with Stripe now and report every difference with its cause; repair with --repair.'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --account 001xx000003DGb2AAG',
    '<%= config.bin %> <%= command.id %> --account 001xx000003DGb2AAG --repair',
    '<%= config.bin %> <%= command.id %> --last',
  ]
  public static override readonly enableJsonFlag = true
  public static override readonly flags = {
    ...workerFlags,
    account: Flags.string({
      summary: 'One Salesforce Account id; without it, a sweep of every account.',
      exclusive: ['last'],
    }),
    repair: Flags.boolean({
      summary: 'Repair what Concord owns (mirrors, lost webhooks); otherwise only report.',
      exclusive: ['last'],
    }),
    last: Flags.boolean({ summary: 'Show the latest report instead of running.' }),
  }

  public async run(): Promise<DriftReport> {
    const { flags } = await this.parse(Reconcile)
    const api = workerApi(flags)
    const report = flags.last
      ? (
          await api.call<{ items: DriftReport[] }>(
            'GET',
            '/v1/reconcile?limit=1',
            'Reading the latest reconcile report',
          )
        ).items[0]
      : await api.call<DriftReport>(
          'POST',
          '/v1/reconcile',
          `Reconciling ${flags.account ?? 'every account'}`,
          { ...(flags.account ? { accountId: flags.account } : {}), repair: flags.repair === true },
        )
    if (!report) {
      this.log('The reconciler has not run yet.')
      return undefined as unknown as DriftReport
    }
    this.print(report)
    return report
  }

  private print(r: DriftReport): void {
    this.log(
      `Reconcile ${r.scope} (${r.trigger}, ${r.repair ? 'repairing' : 'report only'}) at ${r.finishedAt}: ` +
        `${r.checked.accounts} account(s), ${r.checked.subscriptions} subscription(s), ${r.checked.events} event(s), ${r.checked.editedRows} edited row(s) compared.`,
    )
    if (r.findings.length === 0) this.log('No differences.')
    else
      for (const line of renderTable(r.findings, [
        { header: 'ACCOUNT', get: (f) => f.accountId ?? '' },
        { header: 'OBJECT', get: (f) => `${f.object} ${f.id}`, max: 40 },
        { header: 'CAUSE', get: (f) => f.cause },
        { header: 'ACTION', get: (f) => f.action },
        { header: 'DIFFERENCE (SALESFORCE → BILLING)', get: fieldsOf, max: 60 },
      ]))
        this.log(line)
    this.log(
      `Calls: Stripe ${r.calls.stripe}, Salesforce ${r.calls.salesforce}, NetSuite ${r.calls.netsuite}, ledgers ${r.calls.ledger}.`,
    )
    for (const d of r.deferred) this.warn(d)
    const exceptions = r.findings.filter((f) => f.action === 'exception').length
    if (exceptions)
      this.warn(
        `${exceptions} difference(s) are not Concord's to repair: see sf concord exceptions list.`,
      )
  }
}
