import { Effects } from '../common/effects.ts'
import { Router, type EmuRequest, type EmuResponse } from '../common/router.ts'
import { startEmulator, type EmulatorSpec, type RunningEmulator } from '../common/server.ts'
import { Authenticator } from './auth/authenticate.ts'
import { checkCertificateKey, toPublicKey, type VerifierClient } from './auth/jwt.ts'
import { TOKEN_PATH, TokenStore, tokenEndpoint } from './auth/oauth2.ts'
import { NonceStore } from './auth/tba.ts'
import { Clock } from './clock.ts'
import { ConcurrencyGate } from './concurrency.ts'
import { findRecord, runControl } from './control.ts'
import { catching, faultBody } from './errors.ts'
import { resolveOptions, type NetsuiteEmulatorOptions, type ResolvedOptions } from './options.ts'
import { registerRecordRoutes } from './records/handlers.ts'
import type { RecordContext } from './records/model.ts'
import { recordDef } from './records/registry.ts'
import { serializeRecord } from './records/serialize.ts'
import { loadSeed, withBaseline } from './seed.ts'
import { RecordStore } from './store.ts'
import { suiteqlEndpoint } from './suiteql/endpoint.ts'

export type {
  NetsuiteEmulatorOptions,
  M2mClient,
  M2mCertificate,
  TbaCredential,
} from './options.ts'
export type { NetsuiteSeed, SeedRecord } from './seed.ts'
export { generateCertificateKeys, signClientAssertion, type JwtAlg } from './keys.ts'
export { TOKEN_PATH } from './auth/oauth2.ts'

/** The NetSuite emulator: an `EmulatorSpec` for the shared server plus in-process helpers. */
export interface NetsuiteEmulator extends EmulatorSpec {
  effects: Effects
  options: ResolvedOptions
  clock: Clock
  store: RecordStore
  gate: ConcurrencyGate
  tokens: TokenStore
  auth: Authenticator
  context: RecordContext
  /** Runs a vendor control action in-process, as `POST /__control/netsuite/<action>` would. */
  act(action: string, body?: unknown): Promise<EmuResponse>
  /** A record as an expanded REST GET shows it; `ref` is an internal id or `eid:<externalId>`. */
  record(type: string, ref: number | string): Record<string, unknown> | undefined
}

const accountHost = (accountId: string) => accountId.toLowerCase().replace(/_/g, '-')

/**
 * Builds the emulator for one NetSuite account.
 * @throws Error when a configured certificate key is one NetSuite would not accept.
 */
export function netsuiteEmulator(input: NetsuiteEmulatorOptions = {}): NetsuiteEmulator {
  const options = resolveOptions(input)
  const clock = new Clock()
  const store = new RecordStore(clock)
  const effects = new Effects()
  const gate = new ConcurrencyGate(options.concurrencyLimit, options.latencyMs)
  const tokens = new TokenStore(clock)
  const nonces = new NonceStore()
  const context: RecordContext = { store, clock, termsDays: options.termsDays }
  const clients: VerifierClient[] = options.m2m.map((c) => ({
    clientId: c.clientId,
    certificates: c.certificates.map((cert) => {
      const key = toPublicKey(cert.publicKey)
      checkCertificateKey(key)
      return { certificateId: cert.certificateId, key }
    }),
  }))
  let lastBaseUrl = options.publicBaseUrl ?? 'http://127.0.0.1'
  const baseUrl = (req: EmuRequest) =>
    (lastBaseUrl = options.publicBaseUrl ?? `http://${req.headers.host ?? '127.0.0.1'}`)
  const baseUrls = (req: EmuRequest) => [
    ...new Set([baseUrl(req), `http://${req.headers.host ?? '127.0.0.1'}`]),
  ]
  const auth = new Authenticator({
    tokens,
    nonces,
    clock,
    tba: options.tba,
    accountId: options.accountId,
    tbaMaxSkewSeconds: options.tbaMaxSkewSeconds,
    baseUrls,
  })
  const guard = (req: EmuRequest, work: () => EmuResponse) =>
    gate.run(() =>
      catching(() => {
        const failure = auth.check(req)
        if (failure) throw failure
        return work()
      }),
    )

  const router = new Router()
  router.on('POST', TOKEN_PATH, (req) =>
    tokenEndpoint(
      {
        tokens,
        clients,
        clock,
        ttlSeconds: options.tokenTtlSeconds,
        accountId: options.accountId,
        audiences: (r) => [
          ...baseUrls(r).map((b) => `${b}${TOKEN_PATH}`),
          `https://${accountHost(options.accountId)}.suitetalk.api.netsuite.com${TOKEN_PATH}`,
        ],
      },
      req,
    ),
  )
  registerRecordRoutes(router, { ctx: context, effects, baseUrl, guard })
  router.on('POST', '/services/rest/query/v1/suiteql', (req) =>
    guard(req, () =>
      suiteqlEndpoint(
        {
          ctx: context,
          dateFormat: options.dateFormat,
          requirePreferTransient: options.requirePreferTransient,
          baseUrl,
        },
        req,
      ),
    ),
  )
  // https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0625010817.html: the
  // account's limit, what no integration has reserved, and this integration's kind of limit. The
  // emulator allocates nothing per integration, so every client gets `accountLimit`.
  router.on('GET', '/services/rest/system/v1/governanceLimits', (req) =>
    guard(req, () => {
      const { limit } = gate.state()
      return {
        status: 200,
        body: {
          accountConcurrencyLimit: limit,
          accountUnallocatedConcurrencyLimit: limit,
          integrationLimitType: 'accountLimit',
        },
      }
    }),
  )

  const reset = () => {
    store.reset()
    tokens.reset()
    nonces.reset()
    auth.reset()
    clock.reset()
    if (options.startAt) clock.set(options.startAt)
    clock.freeze(options.freezeClock)
    effects.reset()
    gate.configure({ limit: options.concurrencyLimit, latencyMs: options.latencyMs })
    gate.resetCounters()
    loadSeed(context, withBaseline(options.seed))
  }
  reset()

  const controlDeps = { ctx: context, gate, tokens, baseUrl: () => lastBaseUrl }
  return {
    name: 'netsuite',
    effects,
    router,
    options,
    clock,
    store,
    gate,
    tokens,
    auth,
    context,
    faultBody,
    reset,
    state: () => ({
      accountId: options.accountId,
      clock: clock.state(),
      concurrency: gate.state(),
      tokens: tokens.state(),
      records: store.counts(),
      loginAudit: auth.audit.slice(-20),
    }),
    control: (action, body) => runControl(controlDeps, action, body),
    act: async (action, body) =>
      (await runControl(controlDeps, action, body)) ?? {
        status: 404,
        body: { error: `unknown control action ${action}` },
      },
    record: (type, ref) => {
      const def = recordDef(type)
      const found = def && findRecord(context, def.id, ref)
      return def && found ? serializeRecord(def, found, context, lastBaseUrl, true) : undefined
    },
  }
}

/** A started NetSuite emulator. */
export interface RunningNetsuite extends RunningEmulator {
  netsuite: NetsuiteEmulator
  accountId: string
  /** The token endpoint, which is also the `aud` a client assertion must carry. */
  tokenUrl: string
}

/** Starts the NetSuite emulator on loopback (`port` 0 picks a free one). */
export async function startNetsuiteEmulator(
  options: NetsuiteEmulatorOptions = {},
  port = 0,
): Promise<RunningNetsuite> {
  const netsuite = netsuiteEmulator(options)
  const running = await startEmulator(netsuite, port)
  return {
    ...running,
    netsuite,
    accountId: netsuite.options.accountId,
    tokenUrl: `${running.url}${TOKEN_PATH}`,
  }
}
