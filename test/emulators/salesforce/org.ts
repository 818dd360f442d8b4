import { Effects } from '../common/effects.ts'
import { Auth } from './auth.ts'
import { Catalog } from './catalog.ts'
import { Clock } from './clock.ts'
import { EventBus } from './events.ts'
import { IdFactory, toId18 } from './ids.ts'
import { ApiUsage } from './limits.ts'
import { deployPermissions } from './permissions.ts'
import { RecordFaults } from './record-faults.ts'
import { RecordStore, Tx, type SfRecord } from './store.ts'

/** How the emulated org is set up. Every field has a default good for tests. */
export interface SalesforceEmulatorOptions {
  /** Connected app consumer key (JWT `iss`, client credentials `client_id`). */
  consumerKey?: string
  consumerSecret?: string
  /** PEM public key or certificate that verifies JWT bearer assertions. */
  jwtPublicKeyPem?: string
  /** Integration usernames (the first is the client-credentials "Run As" user by default). */
  usernames?: string[]
  /** My Domain login URL accepted as JWT `aud`, besides login/test.salesforce.com. */
  myDomainUrl?: string
  /** "Run As" user for client credentials; `false` turns that flow off. */
  clientCredentialsUser?: string | false
  /** `instance_url` handed out with tokens; default: the URL the token request came in on. */
  instanceUrl?: string
  sessionTimeoutSeconds?: number
  /** The daily API request allocation (M in `api-usage=N/M`). */
  dailyApiLimit?: number
  /** Enabled currencies (multi-currency org); the first is the corporate currency. */
  currencies?: string[]
  /** Load the demo org at start and on reset. */
  seed?: boolean
  /**
   * Whether the org starts with the package's permission sets and custom permission, as if
   * `sfdx/` were deployed (default true); false leaves them to a Metadata API deploy.
   */
  packageDeployed?: boolean
  /**
   * The `Concord_Worker` named credential's URL in a preinstalled package (default the shipped
   * placeholder, which resolves nowhere); a deployed named credential's own URL wins.
   */
  namedCredentialUrl?: string
  /** Platform event retention window. */
  retentionHours?: number
  /** How long an idle `/meta/connect` is held before it returns empty (Salesforce: 110 s). */
  longPollTimeoutMs?: number
  /** How long the server keeps a CometD client that is not connecting (Salesforce: 40 s after a response). */
  clientTimeoutMs?: number
}

export const DEFAULTS = {
  consumerKey: 'concord-emulator-consumer-key',
  consumerSecret: 'concord-emulator-consumer-secret',
  username: 'integration@concord.example',
  repUsername: 'rep@concord.example',
  dailyApiLimit: 100_000,
  currencies: ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY'],
} as const

const ORG_ID = toId18('00D5g000004Conc') ?? ''

/** Everything the emulated org holds, shared by the REST, OAuth, CometD and control handlers. */
export class Org {
  readonly options: SalesforceEmulatorOptions
  readonly orgId = ORG_ID
  readonly clock = new Clock()
  readonly ids = new IdFactory()
  readonly catalog: Catalog
  readonly store: RecordStore
  readonly bus: EventBus
  readonly usage: ApiUsage
  readonly auth: Auth
  readonly recordFaults = new RecordFaults()
  readonly effects = new Effects()
  /** username → User Id. */
  readonly users = new Map<string, string>()
  /** Query cursors for `nextRecordsUrl`. */
  readonly cursors = new Map<string, { rows: unknown[]; position: number; batchSize: number }>()

  constructor(options: SalesforceEmulatorOptions) {
    this.options = options
    const currencies = options.currencies ?? [...DEFAULTS.currencies]
    this.catalog = new Catalog(currencies)
    this.store = new RecordStore(this.catalog, this.ids, this.clock)
    this.bus = new EventBus(this.clock, (options.retentionHours ?? 72) * 3600_000)
    this.usage = new ApiUsage(this.clock, options.dailyApiLimit ?? DEFAULTS.dailyApiLimit)
    const usernames = options.usernames ?? [DEFAULTS.username]
    const loginUrls = ['https://login.salesforce.com', 'https://test.salesforce.com']
    if (options.myDomainUrl) loginUrls.push(options.myDomainUrl.replace(/\/$/, ''))
    const ccUser =
      options.clientCredentialsUser === false
        ? undefined
        : (options.clientCredentialsUser ?? usernames[0])
    this.auth = new Auth(
      {
        consumerKey: options.consumerKey ?? DEFAULTS.consumerKey,
        consumerSecret: options.consumerSecret ?? DEFAULTS.consumerSecret,
        jwtPublicKeyPem: options.jwtPublicKeyPem,
        usernames,
        loginUrls,
        clientCredentialsUser: ccUser,
        sessionTimeoutMs: (options.sessionTimeoutSeconds ?? 7200) * 1000,
        instanceUrl: options.instanceUrl,
        maxJwtLifetimeMs: 180_000,
      },
      this.clock,
      this.orgId,
      (u) => this.users.get(u),
    )
    this.createUsers()
    this.createStandardPricebook()
    if (this.options.packageDeployed !== false) deployPermissions(this, this.integrationUserId)
  }

  get corporateCurrency(): string {
    return this.options.currencies?.[0] ?? DEFAULTS.currencies[0]
  }

  /** The integration user every system write is attributed to when no session is at hand. */
  get integrationUserId(): string {
    return this.users.get(this.auth.config.usernames[0] ?? DEFAULTS.username) ?? ''
  }

  private createUsers(): void {
    const user = this.catalog.get('User')
    if (!user) return
    const tx = new Tx()
    for (const username of [...this.auth.config.usernames, DEFAULTS.repUsername]) {
      if (this.users.has(username)) continue
      const id = this.ids.next(user.keyPrefix)
      this.users.set(username, id)
      this.store.insert(
        tx,
        user,
        { Username: username, Name: username.split('@')[0] ?? username, IsActive: true },
        id,
        id,
      )
    }
  }

  /** Every org has one standard price book (`IsStandard`, which only Salesforce sets). */
  private createStandardPricebook(): void {
    const pricebook = this.catalog.get('Pricebook2')
    if (!pricebook) return
    const tx = new Tx()
    const values = { Name: 'Standard Price Book', IsActive: true, IsStandard: true }
    this.store.insert(tx, pricebook, values, this.integrationUserId)
    tx.undo.length = 0
  }

  /** Makes a transaction's writes visible to the outside: effects recorded, events published. */
  commit(tx: Tx): void {
    for (const e of tx.effects) this.effects.record(e.kind, e.target, e.correlationId, e.detail)
    for (const ev of tx.events) this.bus.publish(ev.type, ev.values, ev.createdById, ev.uuid)
    tx.undo.length = 0
    tx.effects.length = 0
    tx.events.length = 0
  }

  rollback(tx: Tx): void {
    this.store.rollback(tx)
  }

  /** A record by id, or undefined. */
  record(id: string): SfRecord | undefined {
    return this.store.get(id)
  }

  /**
   * Forgets all state (records, sessions, events, counters, clock) and recreates the users and
   * the deployed permission sets.
   */
  reset(): void {
    this.store.reset()
    this.ids.reset()
    this.users.clear()
    this.bus.reset()
    this.usage.reset()
    this.auth.reset()
    this.recordFaults.clear()
    this.effects.reset()
    this.cursors.clear()
    this.clock.reset()
    this.createUsers()
    this.createStandardPricebook()
    if (this.options.packageDeployed !== false) deployPermissions(this, this.integrationUserId)
  }
}
