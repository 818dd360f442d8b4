import { jsonBody, type ApiRoute } from './api.ts'
import { SalesforceApiError } from './errors.ts'
import type { MetadataDeploys } from './metadata/deploy.ts'

interface StoredCredential {
  authenticationProtocol: string
  credentials: Record<string, { value: string; encrypted: boolean }>
}

interface CredentialInput {
  externalCredential?: string
  principalName?: string
  principalType?: string
  authenticationProtocol?: string
  credentials?: Record<string, { value?: unknown; encrypted?: unknown }>
}

/**
 * The credentials (principal parameters) of External Credentials, as the Connect REST API's
 * `named-credentials/credential` resource manages them (GET with `externalCredential`,
 * `principalName`, `principalType`; POST creates, PUT replaces):
 * https://developer.salesforce.com/docs/atlas.en-us.chatterapi.meta/chatterapi/connect_resources_named_credential.htm
 * An External Credential exists once deployed (or from the start when the package is); its named
 * principals are its `NamedPrincipal` parameters. Encrypted values are never read back: GET
 * gives only their names (how much the real API masks is not documented there).
 */
export class CredentialStore {
  private readonly stored = new Map<string, StoredCredential>()
  private readonly deploys: MetadataDeploys
  private readonly preinstalled: boolean

  constructor(deploys: MetadataDeploys, preinstalled: boolean) {
    this.deploys = deploys
    this.preinstalled = preinstalled
  }

  reset(): void {
    this.stored.clear()
  }

  /** Test helper: a stored parameter's value. */
  value(externalCredential: string, principal: string, name: string): string | undefined {
    return this.stored.get(`${externalCredential}|${principal}`)?.credentials[name]?.value
  }

  private principals(externalCredential: string): string[] | undefined {
    const files = this.deploys.deployed('ExternalCredential', externalCredential)
    if (!files)
      return this.preinstalled && externalCredential === 'Concord_Worker' ? ['Signer'] : undefined
    const xml = [...files.values()].map((b) => b.toString('utf8')).join('')
    return [
      ...xml.matchAll(/<externalCredentialParameters>([\s\S]*?)<\/externalCredentialParameters>/g),
    ]
      .map((m) => m[1] ?? '')
      .filter((p) => /<parameterType>NamedPrincipal<\/parameterType>/.test(p))
      .map((p) => /<parameterName>([^<]+)<\/parameterName>/.exec(p)?.[1] ?? '')
  }

  private key(
    ec: string | undefined,
    principal: string | undefined,
    type: string | undefined,
  ): string {
    if (!ec) throw new SalesforceApiError(400, 'INVALID_INPUT', 'externalCredential is required.')
    if (type !== 'NamedPrincipal')
      throw new SalesforceApiError(
        400,
        'INVALID_INPUT',
        'The emulator manages NamedPrincipal credentials only.',
      )
    const principals = this.principals(ec)
    if (!principals)
      throw new SalesforceApiError(404, 'NOT_FOUND', `External credential ${ec} was not found.`)
    if (!principal || !principals.includes(principal))
      throw new SalesforceApiError(
        400,
        'INVALID_INPUT',
        `${ec} has no named principal ${principal ?? ''}.`,
      )
    return `${ec}|${principal}`
  }

  view(ec: string, principal: string, key: string) {
    const c = this.stored.get(key)
    return {
      externalCredential: ec,
      principalName: principal,
      principalType: 'NamedPrincipal',
      authenticationProtocol: c?.authenticationProtocol ?? 'Custom',
      authenticationStatus: c ? 'Configured' : 'NotConfigured',
      credentials: Object.fromEntries(
        Object.entries(c?.credentials ?? {}).map(([n, v]) => [
          n,
          v.encrypted ? { encrypted: true } : { encrypted: false, value: v.value },
        ]),
      ),
    }
  }

  write(input: CredentialInput, mode: 'create' | 'replace') {
    const key = this.key(input.externalCredential, input.principalName, input.principalType)
    if (mode === 'create' && this.stored.has(key))
      throw new SalesforceApiError(
        400,
        'DUPLICATE_VALUE',
        'A credential for this principal already exists; use PUT.',
      )
    if (mode === 'replace' && !this.stored.has(key))
      throw new SalesforceApiError(
        404,
        'NOT_FOUND',
        'No credential for this principal yet; use POST.',
      )
    const credentials: StoredCredential['credentials'] = {}
    for (const [name, v] of Object.entries(input.credentials ?? {})) {
      if (typeof v.value !== 'string')
        throw new SalesforceApiError(
          400,
          'INVALID_INPUT',
          `credentials.${name}.value must be a string.`,
        )
      credentials[name] = { value: v.value, encrypted: v.encrypted === true }
    }
    this.stored.set(key, {
      authenticationProtocol: input.authenticationProtocol ?? 'Custom',
      credentials,
    })
    return this.view(input.externalCredential ?? '', input.principalName ?? '', key)
  }

  routes(): ApiRoute[] {
    return [
      {
        method: 'GET',
        path: '/named-credentials/credential',
        handler: ({ req }) => {
          const q = req.query
          const ec = q.get('externalCredential') ?? undefined
          const principal = q.get('principalName') ?? undefined
          const key = this.key(ec, principal, q.get('principalType') ?? undefined)
          return { status: 200, body: this.view(ec ?? '', principal ?? '', key) }
        },
      },
      {
        method: 'POST',
        path: '/named-credentials/credential',
        handler: ({ req }) => ({
          status: 201,
          body: this.write(jsonBody(req) ?? {}, 'create'),
        }),
      },
      {
        method: 'PUT',
        path: '/named-credentials/credential',
        handler: ({ req }) => ({
          status: 200,
          body: this.write(jsonBody(req) ?? {}, 'replace'),
        }),
      },
    ]
  }
}
