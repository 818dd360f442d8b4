// Types for tests that run inside workerd: the worker's bindings and its main module's exports.
import type { Env as WorkerEnv } from '../worker/env.ts'

declare module 'vitest' {
  /** What test/stack/global-setup.ts provides: the emulators' URLs and the worker's bindings. */
  export interface ProvidedContext {
    vendors: {
      salesforceUrl: string
      stripeUrl: string
      netsuiteUrl: string
      bindings: Record<string, string>
    }
  }
}

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
    interface GlobalProps {
      mainModule: typeof import('../worker/index.ts')
    }
  }
}
