import { readFileSync } from 'node:fs'
import { Flags } from '@salesforce/sf-plugins-core'
import { failure, messageOf } from './failure.ts'
import type { NetsuiteM2m } from './netsuite.ts'
import { WorkerApi } from './worker-api.ts'

/** `--worker-url` and `--token`, shared by every command that talks to the worker. */
export const workerFlags = {
  'worker-url': Flags.url({
    summary: 'URL of the Concord worker, e.g. https://concord.example.workers.dev.',
    env: 'CONCORD_WORKER_URL',
    required: true,
  }),
  token: Flags.string({
    summary: 'Operator token for the worker API (or set CONCORD_TOKEN). Never printed.',
    env: 'CONCORD_TOKEN',
  }),
}

/**
 * What `setup` configures and `doctor` checks on the Salesforce and Stripe side: the two
 * Salesforce users Concord runs as, and the Stripe key. Never printed.
 */
export const installationFlags = {
  'integration-user': Flags.string({
    summary:
      'Username of the worker’s API-only Salesforce user, who holds Concord_Integration (setup: default the target org’s user).',
  }),
  'relay-user': Flags.string({
    summary:
      'Username the relay trigger runs as: holds Concord_Relay, named in the trigger’s PlatformEventSubscriberConfig.',
  }),
  'stripe-key': Flags.string({
    summary:
      'Stripe secret or restricted key (or CONCORD_STRIPE_KEY); setup needs webhook endpoints: write. Never printed.',
    env: 'CONCORD_STRIPE_KEY',
  }),
  'stripe-api-base': Flags.string({
    summary: 'Stripe API base URL.',
    env: 'CONCORD_STRIPE_API_BASE',
    default: 'https://api.stripe.com',
  }),
}

/** The worker client for parsed `workerFlags`. */
export function workerApi(flags: { 'worker-url': URL; token?: string }): WorkerApi {
  return new WorkerApi(flags['worker-url'].toString(), flags.token)
}

/** The worker's NetSuite M2M settings, for the commands that log in as the worker would. */
export const netsuiteFlags = {
  'netsuite-account': Flags.string({
    summary: 'NetSuite account id, e.g. 1234567 or 1234567_SB1 (NETSUITE_ACCOUNT_ID).',
    env: 'NETSUITE_ACCOUNT_ID',
  }),
  'netsuite-client-id': Flags.string({
    summary: 'Client id of the NetSuite integration record (NETSUITE_CLIENT_ID).',
    env: 'NETSUITE_CLIENT_ID',
  }),
  'netsuite-certificate-id': Flags.string({
    summary: 'Certificate id from the M2M setup (NETSUITE_CERTIFICATE_ID).',
    env: 'NETSUITE_CERTIFICATE_ID',
  }),
  'netsuite-private-key-file': Flags.file({
    summary: 'PKCS#8 PEM file of the M2M certificate’s key. Never printed.',
    exists: true,
  }),
  'netsuite-jwt-alg': Flags.option({
    summary: 'Signing algorithm of the certificate (NETSUITE_JWT_ALG).',
    options: ['PS256', 'ES256'] as const,
    default: 'PS256' as const,
    env: 'NETSUITE_JWT_ALG',
  })(),
  'netsuite-base-url': Flags.string({
    summary: 'NetSuite REST base URL (default https://<account>.suitetalk.api.netsuite.com).',
    env: 'NETSUITE_BASE_URL',
  }),
  'netsuite-concurrency': Flags.integer({
    summary:
      'Concord’s share of the account’s concurrency limit (the worker’s NETSUITE_CONCURRENCY).',
    env: 'NETSUITE_CONCURRENCY',
    default: 3,
    min: 1,
  }),
}

type NetsuiteFlagValues = {
  'netsuite-account'?: string
  'netsuite-client-id'?: string
  'netsuite-certificate-id'?: string
  'netsuite-private-key-file'?: string
  'netsuite-jwt-alg': 'PS256' | 'ES256'
  'netsuite-base-url'?: string
}

/**
 * The M2M settings from parsed `netsuiteFlags`; undefined when none is given.
 * @throws SfError when only some are given, or the key file cannot be read.
 */
export function netsuiteM2m(flags: NetsuiteFlagValues): NetsuiteM2m | undefined {
  const needed = {
    '--netsuite-account': flags['netsuite-account'],
    '--netsuite-client-id': flags['netsuite-client-id'],
    '--netsuite-certificate-id': flags['netsuite-certificate-id'],
    '--netsuite-private-key-file': flags['netsuite-private-key-file'],
  }
  const missing = Object.entries(needed)
    .filter(([, v]) => !v)
    .map(([k]) => k)
  if (missing.length === 4) return undefined
  if (missing.length > 0)
    throw failure({
      doing: 'Reading the NetSuite settings',
      said: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`,
      next: ['Give all four NetSuite M2M values, or none to skip the NetSuite checks.'],
      code: 'NetsuiteSettingsIncomplete',
    })
  let privateKeyPem: string
  try {
    privateKeyPem = readFileSync(flags['netsuite-private-key-file'] ?? '', 'utf8')
  } catch (err) {
    throw failure({
      doing: 'Reading the NetSuite private key file',
      said: messageOf(err),
      next: ['Pass the path of the PEM file with --netsuite-private-key-file.'],
      code: 'NetsuiteKeyUnreadable',
    })
  }
  return {
    accountId: flags['netsuite-account'] ?? '',
    clientId: flags['netsuite-client-id'] ?? '',
    certificateId: flags['netsuite-certificate-id'] ?? '',
    privateKeyPem,
    alg: flags['netsuite-jwt-alg'],
    baseUrl: flags['netsuite-base-url'],
  }
}
