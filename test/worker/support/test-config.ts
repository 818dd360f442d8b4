/**
 * Configuration the worker tests run with: known secrets and tokens (test values only) and short
 * retry and gap windows. The connector settings come from the emulators (test/stack/vendors.ts).
 */
export const TEST_EVENTS_SECRET = 'test-events-secret-0123456789abcdef-not-for-production'
/** The key before the last rotation, still accepted (`SALESFORCE_EVENTS_SECRET_PREVIOUS`). */
export const TEST_EVENTS_SECRET_PREVIOUS =
  'test-events-secret-previous-0123456789-not-for-production'
export const TEST_OPERATOR_TOKEN = 'op-token-for-tests-only'
export const TEST_VIEWER_TOKEN = 'viewer-token-for-tests-only'
/** Approves governed actions (`appr-carol`); the admin token (`admin-dan`) may too. */
export const TEST_APPROVER_TOKEN = 'approver-token-for-tests-only'
export const TEST_ADMIN_TOKEN = 'admin-token-for-tests-only'

/** Console sessions and one-time sign-in links (test values only). */
export const TEST_CONSOLE_SESSION_SECRET = 'console-session-secret-for-tests-only-0123456789'
export const TEST_CONSOLE_LOGIN_SECRET = 'console-login-secret-for-tests-only-0123456789ab'

/** Where activations are posted in the worker tests (a `ProvisioningReceiver` takes them). */
export const TEST_PROVISIONING_URL = 'https://provisioning.test/concord/activations'
export const TEST_PROVISIONING_SECRET = 'provisioning-secret-for-tests-only-0123456789'

export const GAP_WINDOW_SECONDS = 60
export const MAX_ATTEMPTS = 5

/** `OPERATOR_TOKENS` holds SHA-256 hashes; `hash` is injected so this file needs no crypto import. */
export function testBindings(hash: (token: string) => string): Record<string, string> {
  return {
    LOG_LEVEL: 'error',
    SALESFORCE_EVENTS_SECRET: TEST_EVENTS_SECRET,
    SALESFORCE_EVENTS_SECRET_PREVIOUS: TEST_EVENTS_SECRET_PREVIOUS,
    OPERATOR_TOKENS: JSON.stringify([
      { name: 'ops-alice', role: 'operator', sha256: hash(TEST_OPERATOR_TOKEN) },
      { name: 'view-bob', role: 'viewer', sha256: hash(TEST_VIEWER_TOKEN) },
      { name: 'appr-carol', role: 'approver', sha256: hash(TEST_APPROVER_TOKEN) },
      { name: 'admin-dan', role: 'admin', sha256: hash(TEST_ADMIN_TOKEN) },
    ]),
    SEQUENCE_GAP_WINDOW_SECONDS: String(GAP_WINDOW_SECONDS),
    RETRY_BASE_MS: '1000',
    RETRY_CAP_MS: '60000',
    MAX_TRANSIENT_ATTEMPTS: String(MAX_ATTEMPTS),
    WRITER_FLUSH_MS: '50',
    ERP_AR_LAG_SECONDS: '0',
    CONSOLE_SESSION_SECRET: TEST_CONSOLE_SESSION_SECRET,
    CONSOLE_LOGIN_SECRET: TEST_CONSOLE_LOGIN_SECRET,
    METRICS_FLUSH_MS: '20',
    PROVISIONING_WEBHOOK_URL: TEST_PROVISIONING_URL,
    PROVISIONING_WEBHOOK_SECRET: TEST_PROVISIONING_SECRET,
  }
}
