// Types for tests that run inside workerd: the worker's bindings and its main module's exports.
import type { Env as WorkerEnv } from '../worker/env.ts'

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
    interface GlobalProps {
      mainModule: typeof import('../worker/index.ts')
    }
  }
}
