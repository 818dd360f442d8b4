import type { TestProject } from 'vitest/node'
import { startVendors } from './vendors.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    vendors: {
      salesforceUrl: string
      stripeUrl: string
      netsuiteUrl: string
      bindings: Record<string, string>
    }
  }
}

/**
 * Starts the three emulators once for the worker test project and hands their URLs and the
 * connector bindings to the pool (`inject('vendors')` in vitest.config.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const vendors = await startVendors({ netsuiteConcurrency: 5 })
  project.provide('vendors', {
    salesforceUrl: vendors.salesforce.url,
    stripeUrl: vendors.stripe.url,
    netsuiteUrl: vendors.netsuite.url,
    bindings: vendors.bindings,
  })
  return () => vendors.close()
}
