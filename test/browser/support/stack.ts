import { createHash, randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, removeTemp, stopChild, tempDir, wrangler } from '../../bench/processes.ts'
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

async function waitHealthy(url: string, log: () => string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 180_000
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`wrangler dev exited:\n${log().slice(-2000)}`)
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) })).ok) return
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`wrangler dev did not answer /healthz in 180 s:\n${log().slice(-2000)}`)
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
  const dir = tempDir('concord-browser-')
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
  const envFile = join(dir, 'dev.vars')
  const dotenv = (v: string) => (v.includes('\n') ? `"${v.replace(/\n/g, '\\n')}"` : `'${v}'`)
  const lines = Object.entries(vars).map(([k, v]) => `${k}=${dotenv(v)}`)
  writeFileSync(envFile, `${lines.join('\n')}\n`, { mode: 0o600 })
  const child = wrangler([
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(await freePort()),
    '--env-file',
    envFile,
    '--persist-to',
    join(dir, 'state'),
    '--show-interactive-dev-session=false',
  ])
  let log = ''
  const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-20_000))
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const stop = async () => {
    await stopChild(child)
    await vendors.close()
    removeTemp(dir)
  }
  try {
    await waitHealthy(
      workerUrl,
      () => log,
      () => child.exitCode !== null,
    )
  } catch (err) {
    await stop()
    throw err
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
