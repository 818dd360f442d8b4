/**
 * Runs the NetSuite emulator on its own and prints the configuration a client needs:
 *
 *   node test/emulators/netsuite/main.ts [--port 12112] [--alg ES256|ES384|ES512|PS256|PS384|PS512]
 *     [--account 1234567] [--private-key key.pem] [--client-id ID] [--certificate-id ID]
 *     [--concurrency 5] [--latency-ms 0] [--no-demo] [--json]
 *
 * Without `--private-key` it generates a fresh key pair (printed, PKCS#8 PEM) so the worker can
 * sign client assertions; pass the same key and ids again to keep a stable configuration.
 */
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { demoSeed } from './demo.ts'
import {
  generateCertificateKeys,
  signClientAssertion,
  startNetsuiteEmulator,
  type JwtAlg,
} from './index.ts'

const ALGS = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '12112' },
    alg: { type: 'string', default: 'ES256' },
    account: { type: 'string', default: '1234567' },
    'private-key': { type: 'string' },
    'client-id': { type: 'string' },
    'certificate-id': { type: 'string' },
    concurrency: { type: 'string', default: '5' },
    'latency-ms': { type: 'string', default: '0' },
    'no-demo': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
})

if (!ALGS.includes(args.alg)) throw new Error(`--alg must be one of ${ALGS.join(', ')}`)
const alg = args.alg as JwtAlg
const keyFile = args['private-key']
const privateKeyPem = keyFile
  ? createPrivateKey(readFileSync(keyFile, 'utf8'))
      .export({ type: 'pkcs8', format: 'pem' })
      .toString()
  : undefined
const keys = privateKeyPem
  ? {
      privateKeyPem,
      publicKeyPem: createPublicKey(privateKeyPem)
        .export({ type: 'spki', format: 'pem' })
        .toString(),
    }
  : generateCertificateKeys(alg)
const clientId = args['client-id'] ?? randomBytes(32).toString('hex')
const certificateId = args['certificate-id'] ?? randomBytes(21).toString('base64url')
const tba = {
  consumerKey: randomBytes(32).toString('hex'),
  consumerSecret: randomBytes(32).toString('hex'),
  tokenId: randomBytes(32).toString('hex'),
  tokenSecret: randomBytes(32).toString('hex'),
}

const emu = await startNetsuiteEmulator(
  {
    accountId: args.account,
    m2m: [{ clientId, certificates: [{ certificateId, publicKey: keys.publicKeyPem }] }],
    tba: [tba],
    concurrencyLimit: Number(args.concurrency),
    latencyMs: Number(args['latency-ms']),
    seed: args['no-demo'] ? undefined : demoSeed(new Date().toISOString().slice(0, 10)),
  },
  Number(args.port),
)

const assertion = signClientAssertion({
  privateKey: keys.privateKeyPem,
  alg,
  kid: certificateId,
  clientId,
  audience: emu.tokenUrl,
})
const check = await fetch(emu.tokenUrl, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  }),
})
if (check.status !== 200)
  throw new Error(
    `self-check failed: token endpoint answered ${check.status} ${await check.text()}`,
  )

const config = {
  NETSUITE_ACCOUNT_ID: args.account,
  NETSUITE_BASE_URL: emu.url,
  NETSUITE_TOKEN_URL: emu.tokenUrl,
  NETSUITE_CLIENT_ID: clientId,
  NETSUITE_CERTIFICATE_ID: certificateId,
  NETSUITE_JWT_ALG: alg,
  NETSUITE_PRIVATE_KEY: keys.privateKeyPem,
  NETSUITE_CONSUMER_KEY: tba.consumerKey,
  NETSUITE_CONSUMER_SECRET: tba.consumerSecret,
  NETSUITE_TOKEN_ID: tba.tokenId,
  NETSUITE_TOKEN_SECRET: tba.tokenSecret,
}

if (args.json) {
  console.log(JSON.stringify({ url: emu.url, ...config }))
} else {
  console.log(`NetSuite emulator (account ${args.account}) listening on ${emu.url}`)
  console.log(`control: ${emu.url}/__control/state · token self-check OK (${alg})`)
  console.log('\n# Worker configuration (.dev.vars); the TBA set is an alternative to the M2M one')
  for (const [key, value] of Object.entries(config)) console.log(`${key}=${JSON.stringify(value)}`)
}

const stop = () => void emu.close().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
