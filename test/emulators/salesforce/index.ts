import type { Effects } from '../common/effects.ts'
import { Router } from '../common/router.ts'
import { startEmulator, type EmulatorSpec, type RunningEmulator } from '../common/server.ts'
import { LIMIT_HEADER, serveApi } from './api.ts'
import { apexPing, PLACEHOLDER_URL } from './apex-ping.ts'
import { CometD } from './cometd.ts'
import { compositeRoute } from './composite.ts'
import { CredentialStore } from './credentials.ts'
import { control, publishAsApex } from './control.ts'
import { faultBody } from './errors.ts'
import type { BusEvent } from './events.ts'
import { MetadataDeploys } from './metadata/deploy.ts'
import { metadataSoap } from './metadata/soap.ts'
import { Org, type SalesforceEmulatorOptions } from './org.ts'
import type { RecordFaultRule } from './record-faults.ts'
import { QUERY_ROUTES, VERSIONS } from './rest-query.ts'
import { SOBJECT_ROUTES } from './rest-sobjects.ts'
import { seedDemoOrg, type SeedResult } from './seed.ts'

export type { SalesforceEmulatorOptions } from './org.ts'
export type { RecordFaultRule } from './record-faults.ts'
export { DEMO_ACCOUNTS, DEMO_SUBSCRIPTIONS, type SeedResult } from './seed.ts'
export { DEFAULTS as SALESFORCE_EMULATOR_DEFAULTS } from './org.ts'

/** The Salesforce emulator: an EmulatorSpec for the shared server plus in-process helpers. */
export interface SalesforceEmulator extends EmulatorSpec {
  effects: Effects
  /** All vendor state; tests may read it directly. */
  org: Org
  cometd: CometD
  /** Metadata API deploys (SOAP `deploy` / `checkDeployStatus`) and what they left in the org. */
  metadata: MetadataDeploys
  /** External Credential principal parameters (Connect REST `named-credentials/credential`). */
  credentials: CredentialStore
  /** Loads the demo org (idempotent) and returns its ids. */
  seed(): SeedResult
  /** Publishes platform events as Apex would (e.g. Subscription_Amendment__e from the LWC). */
  publish(event: string, payloads: Record<string, unknown>[], createdBy?: string): BusEvent[]
  /** Every record of an object, fields plus `_writes` (committed DML writes). */
  records(object: string): Record<string, unknown>[]
  setRecordFaults(rules: RecordFaultRule[]): void
  /** Revokes every access token (REST → 401 INVALID_SESSION_ID, CometD → 401::Authentication invalid). */
  expireTokens(): number
  /** API calls: `used` in the rolling 24 h, `max`, `total` since start (never decays), `refused`. */
  apiCalls(): { used: number; max: number; total: number; refused: number }
  advanceClock(ms: number): void
  /** Answers held long-polls so the process can exit. */
  dispose(): void
}

/**
 * Builds the Salesforce emulator: OAuth token endpoint, REST (sObjects, Collections, Composite,
 * query, limits), platform events and CometD, with API-usage counting and per-record faults.
 * Vendor state and control actions: see `state()` and control.ts.
 */
export function salesforceEmulator(options: SalesforceEmulatorOptions = {}): SalesforceEmulator {
  const org = new Org(options)
  const cometd = new CometD(org)
  const metadata = new MetadataDeploys(org)
  const credentials = new CredentialStore(metadata, options.packageDeployed !== false)
  let lastSeed: SeedResult | undefined
  const seed = () => (lastSeed = seedDemoOrg(org))
  if (options.seed) seed()

  const router = new Router()
  router.on('POST', '/services/oauth2/token', (req) => org.auth.token(req))
  router.on('GET', '/services/oauth2/userinfo', (req) => org.auth.userinfo(req))
  router.on('GET', '/services/data', VERSIONS)
  const routes = [...SOBJECT_ROUTES, ...QUERY_ROUTES]
  for (const route of [...routes, compositeRoute(routes), ...credentials.routes()]) {
    router.on(route.method, `/services/data/:version${route.path}`, serveApi(org, route))
  }
  router.on('POST', '/services/Soap/m/:version', (req) => metadataSoap(org, metadata, req))
  router.on(
    'GET',
    '/services/apexrest/concord/ping',
    apexPing(org, metadata, credentials, options.namedCredentialUrl ?? PLACEHOLDER_URL),
  )
  router.on('POST', '/cometd/:version', (req) => cometd.handle(req))
  router.on('POST', '/cometd/:version/:kind', (req) => cometd.handle(req))

  return {
    name: 'salesforce',
    effects: org.effects,
    router,
    org,
    cometd,
    metadata,
    credentials,
    faultBody,
    commonHeaders: (req): Record<string, string> =>
      req.path.startsWith('/services/data/') ? { [LIMIT_HEADER]: org.usage.header() } : {},
    reset() {
      org.reset()
      cometd.reset()
      metadata.reset()
      credentials.reset()
      lastSeed = undefined
      if (options.seed) seed()
    },
    state: () => ({
      orgId: org.orgId,
      users: Object.fromEntries(org.users),
      tokensMinted: org.auth.minted,
      tokensRejected: org.auth.rejected,
      activeSessions: org.auth.sessions.size,
      api: {
        used: org.usage.used(),
        max: org.usage.max,
        total: org.usage.total,
        refused: org.usage.refused,
      },
      records: org.store.counts(),
      events: {
        published: org.bus.published,
        retained: org.bus.retained().length,
        lastReplayId: org.bus.latestReplayId,
        retentionHours: org.bus.retentionMs / 3_600_000,
      },
      cometd: { clients: cometd.clients.size, held: cometd.heldCount(), ...cometd.stats },
      recordFaults: org.recordFaults.list(),
      clockOffsetMs: org.clock.offset,
      seed: lastSeed ?? null,
    }),
    control: (action, body) => control(org, cometd, action, body, seed),
    seed,
    publish: (event, payloads, createdBy) => publishAsApex(org, event, payloads, createdBy),
    records: (object) =>
      [...org.store.table(object).values()].map((r) => ({ ...r.values, _writes: r.writes })),
    setRecordFaults: (rules) => org.recordFaults.set(rules),
    expireTokens: () => {
      const n = org.auth.expireAll()
      cometd.sessionsRevoked()
      return n
    },
    apiCalls: () => ({
      used: org.usage.used(),
      max: org.usage.max,
      total: org.usage.total,
      refused: org.usage.refused,
    }),
    advanceClock: (ms) => org.clock.advance(ms),
    dispose: () => cometd.dropAll(),
  }
}

/** A started emulator and its Salesforce helpers. */
export interface RunningSalesforceEmulator extends RunningEmulator {
  sf: SalesforceEmulator
}

/**
 * Starts the Salesforce emulator on loopback (`port` 0 = any free port). `close()` also answers
 * held long-polls.
 */
export async function startSalesforceEmulator(
  options: SalesforceEmulatorOptions = {},
  port = 0,
): Promise<RunningSalesforceEmulator> {
  const sf = salesforceEmulator(options)
  const running = await startEmulator(sf, port)
  const close = running.close.bind(running)
  return {
    ...running,
    sf,
    close: async () => {
      sf.dispose()
      await close()
    },
  }
}
