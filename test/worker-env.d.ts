// Types for tests that run inside workerd: the bindings and the main module's exports.
declare namespace Cloudflare {
  interface Env {
    ACCOUNT_LEDGER: DurableObjectNamespace<import('../worker/index.ts').AccountLedger>
  }
  interface GlobalProps {
    mainModule: typeof import('../worker/index.ts')
  }
}
