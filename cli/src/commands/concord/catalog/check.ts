import { SfCommand } from '@salesforce/sf-plugins-core'
import { workerApi, workerFlags } from '../../../lib/flags.ts'
import { renderTable } from '../../../lib/table.ts'

/** One drift, as `GET /v1/catalog/check` reports it (shared/catalog-check.ts). */
export interface CatalogFinding {
  offer?: string
  system: 'catalog' | 'billing' | 'erp' | 'salesforce'
  code: string
  severity: 'error' | 'warning'
  message: string
  fix: string
}

/** `GET /v1/catalog/check`. */
export interface CatalogCheckReport {
  catalogVersion: string
  checkedAt: string
  offers: number
  meters: number
  ok: boolean
  counts: { error: number; warning: number }
  findings: CatalogFinding[]
}

const SYSTEM = { catalog: 'Catalog', billing: 'Stripe', erp: 'NetSuite', salesforce: 'Salesforce' }

/**
 * `sf concord catalog check`: the worker's catalog against Stripe, NetSuite and Salesforce, as
 * the worker itself reads them (its credentials, its API versions), each drift with its fix.
 */
export default class CatalogCheck extends SfCommand<CatalogCheckReport> {
  public static override readonly summary =
    'Compare the catalog with Stripe prices, NetSuite items and Salesforce products, and list each drift with its fix.'
  public static override readonly description =
    'Asks the worker to read every offer’s Stripe price, NetSuite item and Salesforce product (Product2 and its standard price book entry) and to compare them with its CATALOG: missing or archived prices, currency, amount or interval mismatches, missing or inactive items and products. Errors would park an amendment; fix them before reps sell the offer. Exits 1 when there is an error.'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --worker-url https://concord.example.workers.dev',
    '<%= config.bin %> <%= command.id %> --json',
  ]
  public static override readonly enableJsonFlag = true
  public static override readonly flags = { ...workerFlags }

  public async run(): Promise<CatalogCheckReport> {
    const { flags } = await this.parse(CatalogCheck)
    const report = await workerApi(flags).call<CatalogCheckReport>(
      'GET',
      '/v1/catalog/check',
      'Checking the catalog against Stripe, NetSuite and Salesforce',
    )
    this.log(
      `Catalog ${report.catalogVersion}: ${report.offers} offers, ${report.meters} meters, checked ${report.checkedAt}.`,
    )
    if (report.findings.length > 0) {
      const table = renderTable(report.findings, [
        { header: 'SEVERITY', get: (f) => f.severity.toUpperCase(), max: 8 },
        { header: 'OFFER', get: (f) => f.offer ?? '', max: 28 },
        { header: 'SYSTEM', get: (f) => SYSTEM[f.system], max: 10 },
        { header: 'DRIFT', get: (f) => `${f.code}: ${f.message}`, max: 60 },
        { header: 'FIX', get: (f) => f.fix, max: 60 },
      ])
      for (const line of table) this.log(line)
    }
    this.log(
      report.ok
        ? `No drift that would park an amendment (${report.counts.warning} warnings).`
        : `${report.counts.error} errors, ${report.counts.warning} warnings: fix the errors before reps sell these offers.`,
    )
    if (!report.ok) process.exitCode = 1
    return report
  }
}
