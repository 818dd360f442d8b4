import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, watch, writeFileSync } from 'node:fs'
import { mintLoginCode } from '../../worker/console/login-link.ts'
import { startVendors } from './vendors.ts'

/**
 * `npm start`: the whole stack on loopback, no account anywhere. Starts the three emulators with
 * fresh keys and a consistent demo catalog, seeds a demo org, then runs the worker under
 * `wrangler dev` (Durable Objects in local SQLite) configured to reach them, and prints the URLs.
 */
const WORKER_PORT = Number(process.env.CONCORD_PORT ?? 8787)
const workerUrl = `http://127.0.0.1:${WORKER_PORT}`

const vendors = await startVendors({
  ports: { salesforce: 12110, stripe: 12111, netsuite: 12112 },
  stripeWebhookUrl: `${workerUrl}/v1/webhooks/stripe`,
  seedSalesforce: true,
})

const eventsSecret = randomBytes(24).toString('hex')
// The console: sessions are signed with one secret; one-time sign-in links with another, which
// only this process and the worker hold (the link printed below works once, for 15 minutes).
const consoleLoginSecret = randomBytes(24).toString('hex')
const operatorToken = `op_${randomBytes(12).toString('hex')}`
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
const vars: Record<string, string> = {
  ...vendors.bindings,
  SALESFORCE_EVENTS_SECRET: eventsSecret,
  OPERATOR_TOKENS: JSON.stringify([
    { name: 'local-operator', role: 'operator', sha256: sha256(operatorToken) },
  ]),
  CONSOLE_SESSION_SECRET: randomBytes(24).toString('hex'),
  CONSOLE_LOGIN_SECRET: consoleLoginSecret,
  SEQUENCE_GAP_WINDOW_SECONDS: '120',
  RETRY_BASE_MS: '500',
  RETRY_CAP_MS: '30000',
}
mkdirSync('.stack', { recursive: true })
// The emulators keep their state in memory and start empty, so the worker's Durable Objects
// start empty with them: ledgers kept from an earlier run would point at customers and
// subscriptions this run's Stripe and NetSuite have never heard of.
rmSync('.stack/state', { recursive: true, force: true })
// dotenv format: single quotes keep JSON literal; a multi-line value (a PEM key) goes in double
// quotes with its newlines escaped, which dotenv expands.
const dotenv = (v: string) => (v.includes('\n') ? `"${v.replace(/\n/g, '\\n')}"` : `'${v}'`)
writeFileSync(
  '.stack/dev.vars',
  Object.entries(vars)
    .map(([k, v]) => `${k}=${dotenv(v)}`)
    .join('\n') + '\n',
  { mode: 0o600 },
)
const accounts = vendors.salesforce.sf.records('Account') as Array<{ Id: string; Name: string }>
writeFileSync(
  '.stack/local.json',
  JSON.stringify(
    {
      workerUrl,
      eventsSecret,
      operatorToken,
      consoleLoginSecret,
      salesforceUrl: vendors.salesforce.url,
      stripeUrl: vendors.stripe.url,
      netsuiteUrl: vendors.netsuite.url,
      accounts: accounts.map((a) => ({ id: a.Id, name: a.Name })),
    },
    null,
    2,
  ),
  { mode: 0o600 },
)

const WRANGLER_ARGS = [
  'wrangler',
  'dev',
  '--ip',
  '127.0.0.1',
  '--port',
  String(WORKER_PORT),
  '--env-file',
  '.stack/dev.vars',
  '--persist-to',
  '.stack/state',
  '--show-interactive-dev-session=false',
]
let announced = false
let restarting = false

/** wrangler dev, its output prefixed; the stack ends with it unless it is being restarted. */
function startWrangler(): ChildProcess {
  // Its own process group: npx does not pass a signal on to wrangler and its workerd, so the
  // whole group is signalled (killWrangler).
  const child = spawn('npx', WRANGLER_ARGS, {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  })
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = chunk.toString()
    process.stdout.write(text.replace(/^/gm, '[worker] '))
    if (!announced && text.includes('Ready on')) {
      announced = true
      void announce()
    }
  })
  child.on('exit', (code) => {
    if (restarting) {
      restarting = false
      wrangler = startWrangler()
      return
    }
    console.error(`wrangler dev exited (${code ?? 'signal'})`)
    void vendors.close().then(() => process.exit(code ?? 1))
  })
  return child
}
let wrangler = startWrangler()
const killWrangler = () => {
  if (wrangler.pid) process.kill(-wrangler.pid, 'SIGTERM')
}

// wrangler dev reads .stack/dev.vars only when it starts: when `sf concord setup --dev-vars
// .stack/dev.vars` writes a secret there, the worker is restarted to take it (the emulators,
// and the Durable Objects in .stack/state, keep their state).
let pending: NodeJS.Timeout | undefined
watch('.stack/dev.vars', () => {
  clearTimeout(pending)
  pending = setTimeout(() => {
    console.log('[stack] .stack/dev.vars changed: restarting the worker')
    restarting = true
    killWrangler()
  }, 500)
})

async function announce() {
  const code = await mintLoginCode(consoleLoginSecret)
  console.log(`
Concord local stack is up.
  worker      ${workerUrl}            (health: ${workerUrl}/healthz)
  salesforce  ${vendors.salesforce.url}   (control: ${vendors.salesforce.url}/__control/state)
  stripe      ${vendors.stripe.url}   (control: ${vendors.stripe.url}/__control/effects)
  netsuite    ${vendors.netsuite.url}   (control: ${vendors.netsuite.url}/__control/effects)
  demo accounts: ${accounts.map((a) => `${a.Name} ${a.Id}`).join(', ')}
  operator token: ${operatorToken}   (secrets and settings: .stack/local.json)
  console     ${workerUrl}/console/login?code=${code}
              (one-time sign-in link, good for 15 minutes; another: npm run console:link)

Fire a sample amendment and watch it reach all three systems:
  npm run demo:amend
`)
}

const stop = () => {
  killWrangler()
  void vendors.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
