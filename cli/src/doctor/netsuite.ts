import { probeNetsuite, type GovernanceLimits, type NetsuiteM2m } from '../lib/netsuite.ts'
import { fail, pass, warn, type CheckResult } from './check.ts'

export interface NetsuiteTarget {
  m2m?: NetsuiteM2m
  /** Concord's share of the account's limit: the worker's NETSUITE_CONCURRENCY. */
  concurrency: number
}

/** The slots this integration may hold, by the kind of limit NetSuite says it has. */
function available(l: GovernanceLimits): { slots: number; from: string } {
  if (l.integrationLimitType === 'integrationSpecific' && l.integrationConcurrencyLimit)
    return { slots: l.integrationConcurrencyLimit, from: 'allocated to this integration' }
  if (l.integrationLimitType === 'accountLimit')
    return {
      slots: l.accountUnallocatedConcurrencyLimit,
      from: `unallocated, of the account's ${l.accountConcurrencyLimit}`,
    }
  return { slots: l.accountConcurrencyLimit, from: 'the account limit' }
}

function concurrencyCheck(l: GovernanceLimits, share: number): CheckResult {
  const check = 'concurrency'
  const { slots, from } = available(l)
  const detail = `NETSUITE_CONCURRENCY ${share}; ${slots} slot(s) ${from}`
  if (share > slots)
    return fail(
      'netsuite',
      check,
      `${detail}: Concord would be refused (429) whenever it uses them all`,
      `Set NETSUITE_CONCURRENCY (a [vars] entry in wrangler.toml) to at most ${slots} and deploy again, or raise the limit (SuiteCloud Plus licences; Setup → Integration → Integration Governance).`,
    )
  if (share === slots && l.integrationLimitType !== 'integrationSpecific')
    return warn(
      'netsuite',
      check,
      `${detail}: Concord can take every shared slot, so other integrations will meet 429s`,
      `Lower NETSUITE_CONCURRENCY below ${slots}, or allocate Concord its own limit in Integration Governance.`,
    )
  return pass('netsuite', check, detail)
}

/**
 * NetSuite: the worker's M2M login (a token for its client id and certificate) and the account's
 * concurrency limit against Concord's share. The token is used once here and never shown.
 */
export async function checkNetsuite(t: NetsuiteTarget): Promise<CheckResult[]> {
  if (!t.m2m)
    return [
      warn(
        'netsuite',
        'M2M login',
        'not checked: no NetSuite credentials given',
        'Pass --netsuite-account, --netsuite-client-id, --netsuite-certificate-id and --netsuite-private-key-file (the worker’s NETSUITE_* values).',
      ),
    ]
  const m = t.m2m
  const outcome = await probeNetsuite(m)
  if (!outcome.ok && outcome.stage === 'key')
    return [
      fail(
        'netsuite',
        'M2M login',
        outcome.said,
        'Pass the PKCS#8 PEM key whose certificate is uploaded in NetSuite (Setup → Integration → OAuth 2.0 Client Credentials (M2M) Setup).',
      ),
    ]
  if (!outcome.ok && outcome.stage === 'token')
    return [
      fail(
        'netsuite',
        'M2M login',
        `client ${m.clientId}, certificate ${m.certificateId}: ${outcome.said}`,
        'In NetSuite, check the M2M mapping (Setup → Integration → OAuth 2.0 Client Credentials (M2M) Setup): the integration’s client id, the certificate id and its key, the entity and a role with REST Web Services; the Login Audit Trail says why a login was refused.',
      ),
    ]
  const login = pass(
    'netsuite',
    'M2M login',
    `token issued to client ${m.clientId} (account ${m.accountId})`,
  )
  if (!outcome.ok)
    return [
      login,
      warn(
        'netsuite',
        'concurrency',
        `the limit could not be read: ${outcome.said}`,
        'governanceLimits answers administrators only: check the limit by hand in Setup → Integration → Integration Governance, against NETSUITE_CONCURRENCY.',
      ),
    ]
  return [login, concurrencyCheck(outcome.limits, t.concurrency)]
}
