import { generateKeyPairSync } from 'node:crypto'
import {
  generateCertificateKeys,
  startNetsuiteEmulator,
  type RunningNetsuite,
} from '../emulators/netsuite/index.ts'
import {
  startSalesforceEmulator,
  type RunningSalesforceEmulator,
} from '../emulators/salesforce/index.ts'
import { startStripeEmulator, type StartedStripeEmulator } from '../emulators/stripe/index.ts'
import { DEMO_CATALOG, DEMO_NETSUITE, DEMO_STRIPE, DEMO_SUBSIDIARY_RULES } from './demo.ts'

export interface VendorStack {
  salesforce: RunningSalesforceEmulator
  stripe: StartedStripeEmulator
  netsuite: RunningNetsuite
  /** The worker configuration that points every connector at the emulators (secrets included). */
  bindings: Record<string, string>
  close(): Promise<void>
}

export interface VendorStackOptions {
  ports?: { salesforce?: number; stripe?: number; netsuite?: number }
  /** Where the Stripe emulator delivers webhooks (the worker's `/v1/webhooks/stripe`). */
  stripeWebhookUrl?: string
  /** Seed the Salesforce demo org (Accounts with addresses and legal entities). */
  seedSalesforce?: boolean
  /** False: the Salesforce org starts without the package, for a Metadata API deploy to bring. */
  salesforcePackageDeployed?: boolean
  /** The worker URL the preinstalled package's `Concord_Worker` named credential calls. */
  workerUrl?: string
  netsuiteConcurrency?: number
}

const SF_CONSUMER_KEY = 'concord-local-consumer-key'
const SF_USERNAME = 'integration@concord.example'
const NS_CLIENT_ID = 'concord-local-client-id'
const NS_CERTIFICATE_ID = 'concord-local-cert-1'
const NS_ACCOUNT = '1234567_SB1'
const STRIPE_KEY = 'sk_test_concord_local'
const STRIPE_WEBHOOK_SECRET = 'whsec_concord_local_0123456789abcdef'

/**
 * Starts the Salesforce, Stripe and NetSuite emulators on loopback with fresh keys (a new RSA key
 * for Salesforce's JWT bearer flow, a PS256 certificate key for NetSuite M2M), the demo catalog
 * seeded consistently, and returns the bindings the worker needs to reach them.
 */
export async function startVendors(options: VendorStackOptions = {}): Promise<VendorStack> {
  const sfKeys = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const nsKeys = generateCertificateKeys('PS256')
  const salesforce = await startSalesforceEmulator(
    {
      consumerKey: SF_CONSUMER_KEY,
      jwtPublicKeyPem: sfKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      usernames: [SF_USERNAME],
      seed: options.seedSalesforce ?? false,
      packageDeployed: options.salesforcePackageDeployed,
      namedCredentialUrl: options.workerUrl,
    },
    options.ports?.salesforce ?? 0,
  )
  const stripe = await startStripeEmulator(
    {
      apiKey: STRIPE_KEY,
      catalog: DEMO_STRIPE,
      webhooks: options.stripeWebhookUrl
        ? [{ url: options.stripeWebhookUrl, secret: STRIPE_WEBHOOK_SECRET }]
        : undefined,
    },
    options.ports?.stripe ?? 0,
  )
  const netsuite = await startNetsuiteEmulator(
    {
      accountId: NS_ACCOUNT,
      m2m: [
        {
          clientId: NS_CLIENT_ID,
          certificates: [{ certificateId: NS_CERTIFICATE_ID, publicKey: nsKeys.publicKeyPem }],
        },
      ],
      concurrencyLimit: options.netsuiteConcurrency ?? 5,
      seed: DEMO_NETSUITE,
    },
    options.ports?.netsuite ?? 0,
  )
  const bindings: Record<string, string> = {
    CATALOG: JSON.stringify(DEMO_CATALOG),
    SALESFORCE_LOGIN_URL: salesforce.url,
    SALESFORCE_AUTH_FLOW: 'jwt_bearer',
    SALESFORCE_CLIENT_ID: SF_CONSUMER_KEY,
    SALESFORCE_USERNAME: SF_USERNAME,
    SALESFORCE_PRIVATE_KEY: sfKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    SALESFORCE_API_VERSION: '65.0',
    STRIPE_API_BASE: stripe.url,
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET,
    NETSUITE_ACCOUNT_ID: NS_ACCOUNT,
    NETSUITE_BASE_URL: netsuite.url,
    NETSUITE_AUTH_FLOW: 'm2m',
    NETSUITE_CLIENT_ID: NS_CLIENT_ID,
    NETSUITE_CERTIFICATE_ID: NS_CERTIFICATE_ID,
    NETSUITE_PRIVATE_KEY: nsKeys.privateKeyPem,
    NETSUITE_JWT_ALG: 'PS256',
    NETSUITE_CONCURRENCY: String(options.netsuiteConcurrency ?? 5),
    NETSUITE_SUBSIDIARY_RULES: JSON.stringify(DEMO_SUBSIDIARY_RULES),
    // The emulator's baseline SuiteTax codes (test/emulators/netsuite/seed.ts).
    NETSUITE_TAX_CODES: JSON.stringify({ California: '1', Germany: '2', exempt: '3' }),
  }
  return {
    salesforce,
    stripe,
    netsuite,
    bindings,
    close: async () => {
      await Promise.all([salesforce.close(), stripe.close(), netsuite.close()])
    },
  }
}
