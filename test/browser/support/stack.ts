import { createHash, randomBytes } from 'node:crypto'
import { freePort } from '../../bench/processes.ts'
import { startDevWorker, type DevWorker } from '../../stack/dev-worker.ts'
import { startVendors } from '../../stack/vendors.ts'

/** What the browser tests get from the running stack (vitest `inject('consoleStack')`). */
export interface ConsoleStackInfo {
  workerUrl: string
  salesforceUrl: string
  stripeUrl: string
  netsuiteUrl: string
  loginSecret: string
  eventsSecret: string
  operatorToken: string
  accounts: Array<{ id: string; name: string }>
}

/**
 * The local stack as `npm start` runs it (emulators seeded with the demo org, the worker under
 * `wrangler dev` with local Durable Objects), on free ports and a throwaway state directory, with
 * the console's one-time links on.
 */
export async function startConsoleStack(): Promise<{
  info: ConsoleStackInfo
  stop(): Promise<void>
}> {
  const port = await freePort()
  const workerUrl = `http://127.0.0.1:${port}`
  const vendors = await startVendors({
    stripeWebhookUrl: `${workerUrl}/v1/webhooks/stripe`,
    seedSalesforce: true,
  })
  const secret = () => randomBytes(24).toString('hex')
  const [eventsSecret, loginSecret] = [secret(), secret()]
  const operatorToken = `op_${secret()}`
  const sha256 = createHash('sha256').update(operatorToken).digest('hex')
  const vars: Record<string, string> = {
    ...vendors.bindings,
    SALESFORCE_EVENTS_SECRET: eventsSecret,
    OPERATOR_TOKENS: JSON.stringify([{ name: 'browser-tests', role: 'operator', sha256 }]),
    CONSOLE_SESSION_SECRET: secret(),
    CONSOLE_LOGIN_SECRET: loginSecret,
    RETRY_BASE_MS: '500',
    RETRY_CAP_MS: '5000',
  }
  let worker: DevWorker
  try {
    worker = await startDevWorker({ vars, port, timeoutMs: 180_000 })
  } catch (err) {
    await vendors.close()
    throw err
  }
  const stop = async () => {
    await worker.stop()
    await vendors.close()
  }
  const accounts = vendors.salesforce.sf.records('Account') as Array<{ Id: string; Name: string }>
  const info: ConsoleStackInfo = {
    workerUrl,
    salesforceUrl: vendors.salesforce.url,
    stripeUrl: vendors.stripe.url,
    netsuiteUrl: vendors.netsuite.url,
    loginSecret,
    eventsSecret,
    operatorToken,
    accounts: accounts.map((a) => ({ id: a.Id, name: a.Name })),
  }
  return { info, stop }
}
