import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../worker/config/load.ts'
import { ConfigError } from '../../worker/errors.ts'

const SECRET = 'x'.repeat(40)

describe('loadConfig', () => {
  it('parses an empty env into the documented defaults, every vendor absent', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      logLevel: 'info',
      gapWindowMs: 900_000,
      previewMaxAgeSeconds: 3600,
      approvalTtlMs: 86_400_000,
      writerFlushMs: 2000,
      writerBatchSize: 1000,
      salesforce: { status: 'absent' },
      stripe: { status: 'absent' },
      netsuite: { status: 'absent' },
      subscriber: { initialReplayId: -2, apiVersion: '65.0' },
    })
  })

  it('takes a governed action TTL of at least five minutes, in seconds', () => {
    expect(loadConfig({ APPROVAL_TTL_SECONDS: '900' }).approvalTtlMs).toBe(900_000)
    expect(() => loadConfig({ APPROVAL_TTL_SECONDS: '10' })).toThrow(ConfigError)
  })

  it('accepts operator tokens with every console role and refuses an unknown role', () => {
    const token = (role: string) => JSON.stringify([{ name: 'ann', role, sha256: 'a'.repeat(64) }])
    expect(loadConfig({ OPERATOR_TOKENS: token('approver') }).operatorTokens[0]?.role).toBe(
      'approver',
    )
    expect(() => loadConfig({ OPERATOR_TOKENS: token('root') })).toThrow(ConfigError)
  })

  it('parses once per env object', () => {
    const env = { LOG_LEVEL: 'debug' }
    expect(loadConfig(env)).toBe(loadConfig(env))
    expect(loadConfig({ LOG_LEVEL: 'debug' })).not.toBe(loadConfig(env))
  })

  it('stops on a bad core variable, naming it and never its value', () => {
    const run = () => loadConfig({ WRITER_BATCH_SIZE: '5000', SALESFORCE_EVENTS_SECRET: 'short' })
    expect(run).toThrow(ConfigError)
    const message = (() => {
      try {
        run()
      } catch (err) {
        return (err as ConfigError).internalMessage ?? ''
      }
      return ''
    })()
    expect(message).toContain('WRITER_BATCH_SIZE')
    expect(message).toContain('SALESFORCE_EVENTS_SECRET')
    expect(message).not.toContain('short')
  })

  it('reports a half-set Salesforce by the variables it lacks, keeping the rest running', () => {
    const config = loadConfig({
      SALESFORCE_CLIENT_ID: 'id',
      SALESFORCE_CLIENT_SECRET: SECRET,
      SALESFORCE_EVENTS_SECRET: SECRET,
    })
    expect(config.eventSecrets).toEqual([SECRET])
    expect(config.salesforce.status).toBe('invalid')
    const problems = config.salesforce.status === 'invalid' ? config.salesforce.problems : []
    expect(problems.join(' ')).toContain('SALESFORCE_USERNAME')
    expect(problems.join(' ')).toContain('SALESFORCE_PRIVATE_KEY')
    expect(problems.join(' ')).not.toContain(SECRET)
  })

  it('normalises Salesforce settings: origin without a slash, version without the v', () => {
    const config = loadConfig({
      SALESFORCE_AUTH_FLOW: 'client-credentials',
      SALESFORCE_CLIENT_ID: 'id',
      SALESFORCE_CLIENT_SECRET: SECRET,
      SALESFORCE_LOGIN_URL: 'https://acme.my.salesforce.com/',
      SALESFORCE_API_VERSION: 'v66.0',
    })
    expect(config.salesforce).toEqual({
      status: 'ok',
      settings: {
        flow: 'client_credentials',
        clientId: 'id',
        clientSecret: SECRET,
        loginUrl: 'https://acme.my.salesforce.com',
        apiVersion: '66.0',
      },
    })
    expect(config.subscriber.apiVersion).toBe('66.0')
  })

  it('reads NetSuite by its flow: M2M needs the certificate, TBA the four token secrets', () => {
    const m2m = loadConfig({ NETSUITE_ACCOUNT_ID: '1234567_SB1', NETSUITE_CLIENT_ID: 'c' })
    expect(m2m.netsuite.status).toBe('invalid')
    const tba = loadConfig({
      NETSUITE_ACCOUNT_ID: '1234567_SB1',
      NETSUITE_AUTH_FLOW: 'tba',
      NETSUITE_CONSUMER_KEY: 'ck',
      NETSUITE_CONSUMER_SECRET: 'cs',
      NETSUITE_TOKEN_ID: 'ti',
      NETSUITE_TOKEN_SECRET: 'ts',
      NETSUITE_SUBSIDIARY_RULES: '{"*":"1"}',
    })
    expect(tba.netsuite).toMatchObject({
      status: 'ok',
      settings: {
        baseUrl: 'https://1234567-sb1.suitetalk.api.netsuite.com',
        auth: { flow: 'tba', tokenId: 'ti' },
        subsidiaryRules: { '*': '1' },
        concurrency: 3,
      },
    })
    const bad = loadConfig({ NETSUITE_ACCOUNT_ID: '1', NETSUITE_SUBSIDIARY_RULES: 'nope' })
    expect(bad.netsuite).toMatchObject({ status: 'invalid' })
  })

  it('takes Stripe only with a key, and every webhook secret of a roll', () => {
    expect(loadConfig({ STRIPE_API_BASE: 'http://127.0.0.1:1' }).stripe.status).toBe('absent')
    const config = loadConfig({ STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'a, b,' })
    expect(config.stripe).toEqual({ status: 'ok', settings: { apiKey: 'sk_test_1' } })
    expect(config.stripeWebhookSecrets).toEqual(['a', 'b'])
    const wrong = loadConfig({ STRIPE_SECRET_KEY: 'sk', STRIPE_API_BASE: 'not a url' })
    expect(wrong.stripe.status).toBe('invalid')
  })

  it('leaves the console off without a session secret, and reads Access and roles with one', () => {
    expect(loadConfig({}).console).toEqual({ status: 'absent' })
    const config = loadConfig({
      CONSOLE_SESSION_SECRET: SECRET,
      ACCESS_TEAM_DOMAIN: 'https://acme.cloudflareaccess.com/',
      ACCESS_AUD: 'aud-1, aud-2',
      CONSOLE_ROLES: '{"emails":{"ada@example.com":"admin"}}',
      CONSOLE_LOGIN_SECRET: SECRET,
    })
    expect(config.console).toEqual({
      status: 'ok',
      settings: {
        sessionSecret: SECRET,
        sessionTtlMs: 8 * 3_600_000,
        access: {
          issuer: 'https://acme.cloudflareaccess.com',
          certsUrl: 'https://acme.cloudflareaccess.com/cdn-cgi/access/certs',
          audiences: ['aud-1', 'aud-2'],
        },
        loginSecret: undefined,
        roles: { emails: { 'ada@example.com': 'admin' }, groups: {} },
      },
    })
  })

  it('turns only the console off when Access is half set or a role is unknown', () => {
    const half = loadConfig({ CONSOLE_SESSION_SECRET: SECRET, ACCESS_AUD: 'aud-1' })
    expect(half.console).toEqual({
      status: 'invalid',
      problems: ['ACCESS_TEAM_DOMAIN: is required once Access is configured'],
    })
    const badRole = loadConfig({
      CONSOLE_SESSION_SECRET: SECRET,
      CONSOLE_ROLES: '{"emails":{"ada@example.com":"root"}}',
    })
    expect(badRole.console.status).toBe('invalid')
    const problems = badRole.console.status === 'invalid' ? badRole.console.problems : []
    expect(problems.join(' ')).toContain('CONSOLE_ROLES')
    expect(problems.join(' ')).not.toContain(SECRET)
  })
})
