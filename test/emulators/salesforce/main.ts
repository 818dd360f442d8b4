/**
 * Runs the Salesforce emulator as a process:
 * `node test/emulators/salesforce/main.ts --port 12110 [--no-seed] [--public-key-file key.pem]
 *   [--consumer-key K] [--consumer-secret S] [--username u@x] [--daily-limit N] [--long-poll-ms N]
 *   [--instance-url URL] [--my-domain-url URL]`
 * Environment fallbacks: SF_EMULATOR_PORT, SF_EMULATOR_PUBLIC_KEY_FILE, SF_EMULATOR_CONSUMER_KEY,
 * SF_EMULATOR_CONSUMER_SECRET, SF_EMULATOR_USERNAME.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startSalesforceEmulator } from './index.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'no-seed': { type: 'boolean', default: false },
    'public-key-file': { type: 'string' },
    'consumer-key': { type: 'string' },
    'consumer-secret': { type: 'string' },
    username: { type: 'string', multiple: true },
    'daily-limit': { type: 'string' },
    'long-poll-ms': { type: 'string' },
    'instance-url': { type: 'string' },
    'my-domain-url': { type: 'string' },
  },
})

const env = process.env
const keyFile = values['public-key-file'] ?? env.SF_EMULATOR_PUBLIC_KEY_FILE
const usernames =
  values.username ?? (env.SF_EMULATOR_USERNAME ? [env.SF_EMULATOR_USERNAME] : undefined)
const number = (v: string | undefined) => (v === undefined ? undefined : Number(v))

const running = await startSalesforceEmulator(
  {
    seed: !values['no-seed'],
    jwtPublicKeyPem: keyFile ? readFileSync(keyFile, 'utf8') : undefined,
    consumerKey: values['consumer-key'] ?? env.SF_EMULATOR_CONSUMER_KEY,
    consumerSecret: values['consumer-secret'] ?? env.SF_EMULATOR_CONSUMER_SECRET,
    usernames,
    dailyApiLimit: number(values['daily-limit']),
    longPollTimeoutMs: number(values['long-poll-ms']),
    instanceUrl: values['instance-url'],
    myDomainUrl: values['my-domain-url'],
  },
  number(values.port ?? env.SF_EMULATOR_PORT) ?? 12110,
)

console.log(
  JSON.stringify({
    emulator: 'salesforce',
    url: running.url,
    jwt: Boolean(keyFile),
    state: `${running.url}/__control/state`,
  }),
)

const stop = () => {
  void running.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
