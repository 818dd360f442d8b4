import { parseArgs } from 'node:util'
import { startStripeEmulator, type StripeEmulatorOptions } from './index.ts'

/**
 * `node test/emulators/stripe/main.ts --port 12111 [--api-key sk_test_…] [--webhook-url URL
 * --webhook-secret whsec_…] [--start-time UNIX] [--seed N] [--lock-hold-ms N]` — runs the
 * Stripe emulator until interrupted and prints its URL.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '12111' },
    'api-key': { type: 'string' },
    'webhook-url': { type: 'string' },
    'webhook-secret': { type: 'string' },
    'start-time': { type: 'string' },
    seed: { type: 'string' },
    'lock-hold-ms': { type: 'string' },
  },
})

const options: StripeEmulatorOptions = {
  apiKey: values['api-key'],
  startTime: values['start-time'] ? Number(values['start-time']) : undefined,
  seed: values.seed ? Number(values.seed) : undefined,
  lockHoldMs: values['lock-hold-ms'] ? Number(values['lock-hold-ms']) : undefined,
  webhooks: values['webhook-url']
    ? [{ url: values['webhook-url'], secret: values['webhook-secret'] }]
    : undefined,
}

const running = await startStripeEmulator(options, Number(values.port))
const endpoint = running.stripe.endpoints()[0]
console.log(`stripe emulator listening on ${running.url}`)
console.log(`  api key: ${running.stripe.apiKey}`)
if (endpoint) console.log(`  webhooks → ${endpoint.url} (secret ${endpoint.secret})`)

const stop = () => {
  void running.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
