import { createHash, randomBytes } from 'node:crypto'
import { startDevWorker } from '../../../test/stack/dev-worker.ts'

export interface RealWorker {
  url: string
  /** `cli-test`, an operator. */
  token: string
  /** `cli-approver` (approver) and `cli-admin` (admin): the second person of governed actions. */
  approverToken: string
  adminToken: string
  /** Signs intake requests, as Salesforce's External Credential does. */
  eventsSecret: string
  stop(): Promise<void>
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex')

/**
 * The real worker under `wrangler dev` (as `npm start` runs it), configured with `bindings`
 * (the emulators') and one fresh operator token, its Durable Objects in a temporary directory.
 * `test/stack/dev-worker.ts` runs wrangler, as it does for the bench and the browser tests.
 * @throws Error when it does not answer /healthz within two minutes (the output tail included).
 */
export async function startRealWorker(bindings: Record<string, string>): Promise<RealWorker> {
  const token = `op_${randomBytes(12).toString('hex')}`
  const approverToken = `op_${randomBytes(12).toString('hex')}`
  const adminToken = `op_${randomBytes(12).toString('hex')}`
  const eventsSecret = randomBytes(24).toString('hex')
  const vars: Record<string, string> = {
    ...bindings,
    SALESFORCE_EVENTS_SECRET: eventsSecret,
    OPERATOR_TOKENS: JSON.stringify([
      { name: 'cli-test', role: 'operator', sha256: sha256(token) },
      { name: 'cli-approver', role: 'approver', sha256: sha256(approverToken) },
      { name: 'cli-admin', role: 'admin', sha256: sha256(adminToken) },
    ]),
  }
  const worker = await startDevWorker({ vars, logLevel: 'warn', timeoutMs: 120_000 })
  return {
    url: worker.url,
    token,
    approverToken,
    adminToken,
    eventsSecret,
    stop: () => worker.stop(),
  }
}
