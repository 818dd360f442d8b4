// Types for tests that run inside workerd. The bindings (`Env`, `Cloudflare.Env`) come from
// worker-configuration.d.ts (`wrangler types`); the tests also read the vendor variables
// global-setup gives the pool, which the worker itself only reads through its config schema.
import type * as z from 'zod/mini'
import type { EnvVars } from '../worker/config/schema.ts'

type VendorVars = { [K in keyof z.input<typeof EnvVars>]?: string }

declare module 'vitest' {
  /** What test/stack/global-setup.ts provides: the emulators' URLs and the worker's bindings. */
  export interface ProvidedContext {
    vendors: {
      salesforceUrl: string
      stripeUrl: string
      netsuiteUrl: string
      bindings: Record<string, string>
    }
    /** The shell's `*_SEED` and `*_RUNS` variables: workerd tests cannot read `process.env`. */
    replay: Record<string, string>
    /** The fuzz suite's settings from the shell (`FUZZ_SEED`), which workerd does not see. */
    fuzz: { seed?: string }
  }
}

declare global {
  namespace Cloudflare {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging into Cloudflare.Env needs an interface
    interface Env extends Omit<VendorVars, keyof __BaseEnv_Env> {}
  }
}
