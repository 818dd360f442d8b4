import { env } from 'cloudflare:workers'
import { runDurableObjectAlarm } from 'cloudflare:test'
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest'
import { salesforceSinkOf } from '../support/connectors.ts'
import type { OrgWriter } from '../../../worker/objects/org-writer.ts'
import {
  statusRecords,
  subscriptionRecord,
  type SyncStatus,
} from '../../../worker/writer/records/index.ts'
import type { WriteRecord } from '../../../worker/writer/types.ts'
import { emulatorControl } from '../support/vendors.ts'
import { until } from '../../support/poll.ts'

/*
 * The one Salesforce write path for statuses, end to end against the Salesforce emulator: the
 * record builders (`statusRecords`) and the OrgWriter that sends them.
 */

const { salesforceUrl } = inject('vendors')
const control = (path: string, body?: unknown) => emulatorControl(salesforceUrl, path, body)
const apiCalls = async () => ((await control('state')).api as { total: number }).total
const rows = async (object: string, field: string, values: string[]) =>
  (
    (await control(`salesforce/records/${object}`, {})).records as Array<Record<string, unknown>>
  ).filter((r) => values.includes(String(r[field])))
const mirrorOf = async (key: string) =>
  (await rows('Billing_Subscription__c', 'Subscription_Key__c', [key]))[0]

/** Creates records as an admin (or `AmendmentPublisher`) would, no API call; returns their ids. */
async function put(
  object: string,
  records: Array<Record<string, unknown>>,
  externalIdField?: string,
): Promise<string[]> {
  const { results } = (await control('salesforce/put', { object, externalIdField, records })) as {
    results: Array<{ id: string; success: boolean }>
  }
  expect(results.every((r) => r.success)).toBe(true)
  return results.map((r) => r.id)
}

function status(
  overrides: Partial<SyncStatus> & Pick<SyncStatus, 'accountId' | 'subscriptionKey'>,
): SyncStatus {
  return {
    amendmentId: crypto.randomUUID(),
    sequence: 1,
    action: 'create',
    status: 'received',
    correlationId: `corr-${crypto.randomUUID().slice(0, 8)}`,
    updatedAt: '2026-11-22T09:30:00.000Z',
    ...overrides,
  }
}
const freshKey = () => `SUB-${crypto.randomUUID().slice(0, 10)}`

/** Two applied amendments of one subscription and a parked third with an over-long message. */
const threeStatuses = (accountId: string, key: string) => [
  status({
    accountId,
    subscriptionKey: key,
    status: 'applied',
    billingRef: 'sub_123',
    erpRef: 'SO-9',
  }),
  status({
    accountId,
    subscriptionKey: key,
    sequence: 2,
    action: 'change_quantity',
    status: 'applied',
    billingRef: 'sub_123',
  }),
  status({
    accountId,
    subscriptionKey: key,
    sequence: 3,
    action: 'cancel',
    status: 'parked',
    errorCode: 'price_unknown',
    errorMessage: 'x'.repeat(400),
  }),
]

let writer: DurableObjectStub<OrgWriter>

beforeEach(() => {
  writer = env.ORG_WRITER.getByName(`statuses-${crypto.randomUUID()}`)
  vi.useFakeTimers({ toFake: ['Date'] })
})
afterEach(() => vi.useRealTimers())

/** Hands statuses to the writer as the ledger's outbox does, then runs its flushes to the end. */
async function report(...statuses: SyncStatus[]) {
  return handOver(statusRecords(statuses))
}

/** Hands records to the writer, then runs its flushes to the end. */
async function handOver(records: WriteRecord[]) {
  const answer = await writer.enqueue(records)
  await drain()
  return answer
}

/** The mirror's applied sequence, on the mirror's own record, as the account's ledger makes it. */
const appliedMirror = (accountId: string, subscriptionKey: string, appliedSequence: number) =>
  subscriptionRecord({
    accountId,
    subscriptionKey,
    appliedSequence,
    version: Date.parse('2026-11-22T09:30:00.000Z'),
  })

/** Runs the writer's alarm, moving the clock to each flush (retries included), until it is idle. */
async function drain(): Promise<void> {
  await until(
    'the writer to go idle',
    async () => {
      const [state, now] = [await writer.flushState(), await writer.status()]
      if (!state.flushing && now.pending === 0 && now.hints === 0) return true
      if (state.flushing) return false
      if (state.alarmAt !== null && state.alarmAt > Date.now()) vi.setSystemTime(state.alarmAt)
      await runDurableObjectAlarm(writer)
      return false
    },
    { describe: () => writer.status() },
  )
}

const parked = async () => (await writer.status()).parked

describe('Subscription_Sync__c through the OrgWriter', () => {
  it('writes each Subscription_Sync__c with every status field, and creates the mirror, in one API call', async () => {
    const [accountId] = (await put('Account', [{ Name: 'Osprey Ltd' }])) as [string]
    const key = freshKey()
    const statuses = threeStatuses(accountId, key)
    const connector = salesforceSinkOf(env)
    await connector?.readAccount(accountId, 'warm-up') // token minted outside the measured window
    const before = await apiCalls()
    await handOver([...statusRecords(statuses), appliedMirror(accountId, key, 2)])
    expect(await apiCalls()).toBe(before + 1)
    expect(await parked()).toEqual([])

    const written = await rows(
      'Subscription_Sync__c',
      'External_Id__c',
      statuses.map((s) => s.amendmentId),
    )
    expect(written).toHaveLength(3)
    expect(written.find((r) => r.External_Id__c === statuses[0]?.amendmentId)).toMatchObject({
      Account__c: accountId,
      Subscription_Key__c: key,
      Sequence__c: 1,
      Action__c: 'create',
      Status__c: 'applied',
      Error_Code__c: null,
      Correlation_Id__c: statuses[0]?.correlationId,
      Billing_Ref__c: 'sub_123',
      Erp_Ref__c: 'SO-9',
      Updated_At__c: '2026-11-22T09:30:00.000+0000',
    })
    expect(written.find((r) => r.External_Id__c === statuses[2]?.amendmentId)).toMatchObject({
      Status__c: 'parked',
      Error_Code__c: 'price_unknown',
      Error_Message__c: 'x'.repeat(255),
    })
    expect(await mirrorOf(key)).toMatchObject({ Account__c: accountId, Applied_Sequence__c: 2 })
  })

  it('clears an error when a parked amendment later applies', async () => {
    const [accountId] = (await put('Account', [{ Name: 'Heron Inc' }])) as [string]
    const parkedOne = status({
      accountId,
      subscriptionKey: freshKey(),
      status: 'parked',
      errorCode: 'card_declined',
      errorMessage: 'declined',
    })
    await report(parkedOne)
    await report({
      ...parkedOne,
      status: 'applied',
      errorCode: undefined,
      errorMessage: undefined,
      billingRef: 'sub_9',
    })
    const [row] = await rows('Subscription_Sync__c', 'External_Id__c', [parkedOne.amendmentId])
    expect(row).toMatchObject({
      Status__c: 'applied',
      Error_Code__c: null,
      Error_Message__c: null,
      Billing_Ref__c: 'sub_9',
    })
  })

  it('keeps a status whose Account is not found visible by writing it without the lookup', async () => {
    const s = status({
      accountId: '001000000000777AAA',
      subscriptionKey: freshKey(),
      status: 'rejected',
      errorCode: 'account_not_found',
    })
    await report(s)
    expect(await parked()).toEqual([])
    const [row] = await rows('Subscription_Sync__c', 'External_Id__c', [s.amendmentId])
    expect(row).toMatchObject({ Account__c: null, Status__c: 'rejected' })
  })
})

describe('record failures through the OrgWriter', () => {
  it('retries a locked status record and parks a refused one with its reason', async () => {
    const [accountId] = (await put('Account', [{ Name: 'Plover' }])) as [string]
    const [ok, locked, refused] = [1, 2, 3].map((sequence) =>
      status({ accountId, subscriptionKey: freshKey(), sequence }),
    ) as [SyncStatus, SyncStatus, SyncStatus]
    await control('salesforce/recordFaults', {
      append: true,
      rules: [
        {
          object: 'Subscription_Sync__c',
          externalId: locked.amendmentId,
          statusCode: 'UNABLE_TO_LOCK_ROW',
          times: 1,
        },
        {
          object: 'Subscription_Sync__c',
          externalId: refused.amendmentId,
          statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
          times: 1,
        },
      ],
    })
    await report(ok, locked, refused)
    const ids = [ok, locked, refused].map((s) => s.amendmentId)
    const written = await rows('Subscription_Sync__c', 'External_Id__c', ids)
    expect(written.map((r) => r.External_Id__c).sort()).toEqual(
      [ok, locked].map((s) => s.amendmentId).sort(),
    )
    expect((await parked()).map((p) => [p.externalId, p.code])).toEqual([
      [refused.amendmentId, 'FIELD_CUSTOM_VALIDATION_EXCEPTION'],
    ])
  })

  it('holds an applied status back while its mirror is locked, then applies it', async () => {
    const [accountId] = (await put('Account', [{ Name: 'Avocet' }])) as [string]
    const key = freshKey()
    await put(
      'Billing_Subscription__c',
      [{ Subscription_Key__c: key, Account__c: accountId, Applied_Sequence__c: 1 }],
      'Subscription_Key__c',
    )
    await control('salesforce/recordFaults', {
      append: true,
      rules: [
        {
          object: 'Billing_Subscription__c',
          externalId: key,
          field: 'Subscription_Key__c',
          statusCode: 'UNABLE_TO_LOCK_ROW',
          times: 2,
        },
      ],
    })
    await handOver([
      ...statusRecords([
        status({ accountId, subscriptionKey: key, sequence: 2, status: 'applied' }),
      ]),
      appliedMirror(accountId, key, 2),
    ])
    expect(await parked()).toEqual([])
    expect(await mirrorOf(key)).toMatchObject({ Applied_Sequence__c: 2, Account__c: accountId })
  })
})
