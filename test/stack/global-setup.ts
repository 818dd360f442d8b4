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
    /** The shell's `*_SEED` and `*_RUNS` variables: workerd tests cannot read `process.env`. */
    replay: Record<string, string>
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
  project.provide(
    'replay',
    Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] => /_(SEED|RUNS|ORDERS)$/.test(e[0]) && e[1] !== undefined,
      ),
    ),
  )
  return () => vendors.close()
}
