import { afterEach, describe, expect, it, vi } from 'vitest'
import { useConnectorFactory } from './support/wiring.ts'
import { createLogger } from '../../worker/lib/log.ts'
import { DoubleConnectors } from '../doubles/connectors.ts'
import {
  amendmentChain,
  drain,
  ledger,
  newAccountId,
  operatorFetch,
  postEvents,
} from './support/helpers.ts'

afterEach(() => {
  useConnectorFactory()
  vi.restoreAllMocks()
})

function captureConsole(): string[] {
  const lines: string[] = []
  for (const method of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation(
      (...args: unknown[]) => void lines.push(args.map(String).join(' ')),
    )
  }
  return lines
}

describe('logging', () => {
  it('writes one JSON object per line and redacts anything that looks like a credential', () => {
    const lines = captureConsole()
    const log = createLogger({ component: 'test' }, 'debug').with({ correlationId: 'corr-1' })
    log.info('calling vendor', {
      headers: { Authorization: 'Bearer sk_live_123', 'X-Concord-Signature': 'v1=abc' },
      clientSecret: 's3cr3t',
      nested: [{ accessToken: 't0k' }],
      amount: 5,
    })
    expect(lines).toHaveLength(1)
    const line = JSON.parse(lines[0] as string) as Record<string, unknown>
    expect(line).toMatchObject({
      level: 'info',
      msg: 'calling vendor',
      component: 'test',
      correlationId: 'corr-1',
      amount: 5,
      clientSecret: '[redacted]',
    })
    expect(lines[0]).not.toMatch(/sk_live_123|v1=abc|s3cr3t|t0k/)
  })

  it('respects the minimum level', () => {
    const lines = captureConsole()
    createLogger({}, 'warn').info('quiet')
    expect(lines).toEqual([])
  })
})

describe('internal errors', () => {
  it('logs an unexpected error with its correlation id but never shows its detail to Salesforce or operators', async () => {
    const account = newAccountId()
    const doubles = new DoubleConnectors()
    // Every try fails the same way, so a retry that comes round quickly on a busy machine still
    // finds it waiting with the error.
    const leak = new Error('pg: password=hunter2 at pool.ts:88')
    doubles.failNext('billing.applyAmendment', ...Array<Error>(10).fill(leak))
    useConnectorFactory(() => doubles)
    const lines = captureConsole()
    const [create] = amendmentChain(1, { Account_Id__c: account })
    await postEvents([create])
    await drain(account)
    const detail = await ledger(account).amendment(create?.EventUuid as string)
    expect(detail).toMatchObject({ state: 'waiting', errorCode: 'internal_error' })
    expect(detail?.errorMessage).not.toContain('hunter2')
    const logged = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'unexpected error in saga step')
    expect(logged).toMatchObject({
      correlationId: create?.Correlation_Id__c,
      errorMessage: 'pg: password=hunter2 at pool.ts:88',
    })
    const http = await operatorFetch(
      `/v1/accounts/${account}/amendments/${String(create?.EventUuid)}`,
    )
    expect(await http.text()).not.toContain('hunter2')
  })

  it('answers an unknown route with the error shape', async () => {
    const res = await operatorFetch('/v1/nope')
    expect(res.status).toBe(404)
    const body = await res.json<{ error: { code: string; requestId: string } }>()
    expect(body.error.code).toBe('not_found')
  })
})
