import { Flags, SfCommand } from '@salesforce/sf-plugins-core'
import { workerApi, workerFlags } from '../../../lib/flags.ts'
import { renderTable } from '../../../lib/table.ts'
import type { ExceptionEntry } from '../../../lib/worker-types.ts'

const CATEGORIES = ['retrying', 'needs_data_fix', 'needs_approval'] as const
const SYSTEMS = ['salesforce', 'stripe', 'netsuite', 'worker'] as const

/** One item of the worker's exception work queue (README, "Exception work queue"). */
export interface WorkItem {
  id: string
  kind: string
  category: (typeof CATEGORIES)[number]
  system: string
  code: string
  message: string
  since: string
  nextAttemptAt?: string
  accountId?: string
  correlationId?: string
  amendmentId?: string
  impact?: { amount: number; currency: string; basis: string }
  ids: { salesforce: string[]; stripe: string[]; netsuite: string[] }
  ref: string
}

/** What the command returns (`--json`): a page of the queue, or with `--state` the amendments. */
export interface ExceptionsListResult {
  items: WorkItem[] | ExceptionEntry[]
  counts?: Record<(typeof CATEGORIES)[number], number>
  /** Pass as `--cursor` for the next page. */
  next?: string
}

/** Minor units as money: `500000 USD` → `$5,000.00` (zero-decimal currencies stay whole). */
function money(i: WorkItem['impact']): string {
  if (!i) return ''
  const format = new Intl.NumberFormat('en', { style: 'currency', currency: i.currency })
  return format.format(i.amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2))
}

/**
 * `sf concord exceptions list`: the exception work queue, oldest first, with the console's
 * filters; `--state` lists the amendments in one state instead, as before.
 */
export default class ExceptionsList extends SfCommand<ExceptionsListResult> {
  public static override readonly summary =
    'List the exception work queue: parked and retrying amendments, dead letters, quarantine, unmatched webhooks, subscriber gaps.'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --worker-url https://concord.example.workers.dev',
    '<%= config.bin %> <%= command.id %> --category needs_approval --older-than 4h',
    '<%= config.bin %> <%= command.id %> --search cus_PqR123 --system stripe',
    '<%= config.bin %> <%= command.id %> --account 001xx000003DGb2AAG --state waiting',
  ]
  public static override readonly enableJsonFlag = true
  public static override readonly flags = {
    ...workerFlags,
    account: Flags.string({ summary: 'Only this Salesforce Account id.' }),
    system: Flags.option({ summary: 'Only this system.', options: SYSTEMS })(),
    category: Flags.option({ summary: 'Only this recoverability.', options: CATEGORIES })(),
    code: Flags.string({ summary: 'Only this failure code.' }),
    'older-than': Flags.string({ summary: 'Only items at least this old: 30m, 4h, 2d.' }),
    search: Flags.string({
      char: 'q',
      summary: 'Any id an item carries: correlation, Salesforce, Stripe or NetSuite id.',
    }),
    cursor: Flags.string({ summary: 'The next page, as the previous page printed it.' }),
    state: Flags.option({
      summary: 'List the amendments in this state instead of the queue.',
      options: ['parked', 'waiting', 'applied', 'skipped'] as const,
    })(),
    limit: Flags.integer({ summary: 'At most this many (1-500).', min: 1, max: 500, default: 100 }),
  }

  public async run(): Promise<ExceptionsListResult> {
    const { flags } = await this.parse(ExceptionsList)
    if (flags.state) return this.byState(flags.state, flags.limit, flags.account, flags)
    const query = new URLSearchParams({ limit: String(flags.limit) })
    const given: Record<string, string | undefined> = {
      accountId: flags.account,
      system: flags.system,
      category: flags.category,
      code: flags.code,
      olderThan: flags['older-than'],
      q: flags.search,
      cursor: flags.cursor,
    }
    for (const [k, v] of Object.entries(given)) if (v) query.set(k, v)
    const page = await workerApi(flags).call<
      Required<Omit<ExceptionsListResult, 'next'>> & {
        items: WorkItem[]
        next?: string
      }
    >('GET', `/v1/exceptions?${query.toString()}`, 'Reading the exception work queue')
    const { counts } = page
    this.log(
      `retrying ${counts.retrying} · needs a data fix ${counts.needs_data_fix} · needs approval ${counts.needs_approval}`,
    )
    if (!page.items.length) {
      this.log('Nothing in the queue matches.')
      return page
    }
    const table = renderTable(page.items, [
      { header: 'CATEGORY', get: (i) => i.category, max: 15 },
      { header: 'SYSTEM', get: (i) => i.system, max: 10 },
      { header: 'ERROR', get: (i) => `${i.code}: ${i.message}`, max: 50 },
      { header: 'IMPACT', get: (i) => money(i.impact), max: 16 },
      { header: 'ACCOUNT', get: (i) => i.accountId ?? '', max: 18 },
      { header: 'SINCE', get: (i) => i.since, max: 24 },
      { header: 'ID', get: (i) => i.amendmentId ?? i.ref, max: 40 },
    ])
    for (const line of table) this.log(line)
    if (page.next) this.log(`More: --cursor '${page.next}'`)
    return page
  }

  private async byState(
    state: string,
    limit: number,
    account: string | undefined,
    flags: Parameters<typeof workerApi>[0],
  ): Promise<ExceptionsListResult> {
    const query = new URLSearchParams({ state, limit: String(limit) })
    if (account) query.set('accountId', account)
    const { items } = await workerApi(flags).call<{ items: ExceptionEntry[] }>(
      'GET',
      `/v1/exceptions?${query.toString()}`,
      `Listing ${state} amendments`,
    )
    if (!items.length) {
      this.log(`No ${state} amendments${account ? ` for ${account}` : ''}.`)
      return { items }
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
    return { items }
  }
}
