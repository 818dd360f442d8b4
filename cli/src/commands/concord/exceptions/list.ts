import { Flags, SfCommand } from '@salesforce/sf-plugins-core'
import { workerApi, workerFlags } from '../../../lib/flags.ts'
import { renderTable } from '../../../lib/table.ts'
import type { ExceptionEntry } from '../../../lib/worker-types.ts'

/** `sf concord exceptions list`: amendments in a state (parked by default), newest first. */
export default class ExceptionsList extends SfCommand<ExceptionEntry[]> {
  public static override readonly summary = 'List parked amendments (or those in another state).'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --worker-url https://concord.example.workers.dev',
    '<%= config.bin %> <%= command.id %> --account 001xx000003DGb2AAG --state waiting',
  ]
  public static override readonly enableJsonFlag = true
  public static override readonly flags = {
    ...workerFlags,
    account: Flags.string({ summary: 'Only this Salesforce Account id.' }),
    state: Flags.option({
      summary: 'Which amendments.',
      options: ['parked', 'waiting', 'applied', 'skipped'] as const,
      default: 'parked' as const,
    })(),
    limit: Flags.integer({ summary: 'At most this many (1-500).', min: 1, max: 500, default: 100 }),
  }

  public async run(): Promise<ExceptionEntry[]> {
    const { flags } = await this.parse(ExceptionsList)
    const query = new URLSearchParams({ state: flags.state, limit: String(flags.limit) })
    if (flags.account) query.set('accountId', flags.account)
    const { items } = await workerApi(flags).call<{ items: ExceptionEntry[] }>(
      'GET',
      `/v1/exceptions?${query.toString()}`,
      `Listing ${flags.state} amendments`,
    )
    if (!items.length) {
      this.log(`No ${flags.state} amendments${flags.account ? ` for ${flags.account}` : ''}.`)
      return items
    }
    const table = renderTable(items, [
      { header: 'AMENDMENT', get: (e) => e.amendmentId, max: 40 },
      { header: 'ACCOUNT', get: (e) => e.accountId, max: 18 },
      { header: 'SUBSCRIPTION', get: (e) => `${e.subscriptionKey} #${e.sequence}`, max: 30 },
      { header: 'ACTION', get: (e) => e.action, max: 12 },
      { header: 'ERROR', get: (e) => (e.code ? `${e.code}: ${e.message ?? ''}` : ''), max: 50 },
      { header: 'UPDATED', get: (e) => e.updatedAt, max: 24 },
    ])
    for (const line of table) this.log(line)
    return items
  }
}
