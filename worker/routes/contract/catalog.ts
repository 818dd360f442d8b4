import { CatalogCheckReport } from '../../../shared/index.ts'
import type { RouteContract } from './route-contract.ts'

/** The catalog governance route. */
export const CATALOG_ROUTES: RouteContract[] = [
  {
    method: 'get',
    path: '/v1/catalog/check',
    summary:
      'The catalog against Stripe prices, NetSuite items and Salesforce products: each drift (missing, inactive, currency or amount mismatch) with its fix',
    tag: 'operator',
    auth: 'viewer',
    ok: {
      status: 200,
      body: CatalogCheckReport,
      description: 'The drift report (ok is false when any finding is an error)',
    },
  },
]
