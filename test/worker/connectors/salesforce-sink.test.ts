import { env } from 'cloudflare:workers'
import { emulatorControl } from '../support/vendors.ts'
import { describe, expect, inject, it } from 'vitest'
import type { SalesforceSink, SyncStatus } from '../../../worker/connectors/types.ts'
import { salesforceSinkOf } from '../support/connectors.ts'

const { salesforceUrl } = inject('vendors')
const control = (path: string, body?: unknown) => emulatorControl(salesforceUrl, path, body)
const apiCalls = async () => ((await control('state')).api as { total: number }).total
const rows = async (object: string, field: string, values: string[]) =>
  (
    (await control(`salesforce/records/${object}`, {})).records as Array<Record<string, unknown>>
  ).filter((r) => values.includes(String(r[field])))

/** Creates records as an admin would (no API call) and returns their ids. */
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

function sink(): SalesforceSink {
  const found = salesforceSinkOf(env)
  if (!found) throw new Error('the worker test env has no Salesforce settings')
  return found
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

describe('SalesforceConnector.readAccount', () => {
  it('reads name, billing address, currency and legal entity', async () => {
    const [id] = await put('Account', [
      {
        Name: 'Kestrel GmbH',
        BillingStreet: 'Hafenstr. 1',
        BillingCity: 'Hamburg',
        BillingPostalCode: '20457',
        BillingCountry: 'DE',
        CurrencyIsoCode: 'EUR',
        Concord_Legal_Entity__c: 'DE-01',
      },
    ])
    const profile = await sink().readAccount((id as string).slice(0, 15), 'corr-1')
    expect(profile).toEqual({
      accountId: id,
      name: 'Kestrel GmbH',
      currency: 'EUR',
      legalEntity: 'DE-01',
      billingAddress: {
        street: 'Hafenstr. 1',
        city: 'Hamburg',
        postalCode: '20457',
        country: 'DE',
      },
    })
  })

  it('answers a missing Account with the business error account_not_found', async () => {
    await expect(sink().readAccount('001000000000404AAA', 'corr-2')).rejects.toMatchObject({
      kind: 'business',
      code: 'account_not_found',
    })
    await expect(sink().readAccount('not-an-id', 'corr-3')).rejects.toMatchObject({
      kind: 'business',
      code: 'account_not_found',
    })
  })
})

describe('SalesforceConnector.reportStatuses', () => {
  it('upserts Subscription_Sync__c with every status field and the mirror, in one API call', async () => {
    const [accountId] = (await put('Account', [{ Name: 'Osprey Ltd' }])) as [string]
    const key = freshKey()
    const statuses = [
      status({
        accountId,
        subscriptionKey: key,
        sequence: 1,
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
    await sink().readAccount(accountId, 'warm-up') // token minted outside the measured window
    const before = await apiCalls()
    const report = await sink().reportStatuses(statuses)
    expect(await apiCalls()).toBe(before + 1)
    expect(report).toEqual({ delivered: statuses.map((s) => s.amendmentId), failed: [] })

    const written = await rows(
      'Subscription_Sync__c',
      'External_Id__c',
      statuses.map((s) => s.amendmentId),
    )
    expect(written).toHaveLength(3)
    const first = written.find((r) => r.External_Id__c === statuses[0]?.amendmentId)
    expect(first).toMatchObject({
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
    const parked = written.find((r) => r.External_Id__c === statuses[2]?.amendmentId)
    expect(parked).toMatchObject({
      Status__c: 'parked',
      Error_Code__c: 'price_unknown',
      Error_Message__c: 'x'.repeat(255),
    })

    const [mirror] = await rows('Billing_Subscription__c', 'Subscription_Key__c', [key])
    expect(mirror).toMatchObject({
      Account__c: accountId,
      Applied_Sequence__c: 2,
      Last_Sequence__c: 2,
    })
  })

  it('clears an error when a parked amendment later applies', async () => {
    const [accountId] = (await put('Account', [{ Name: 'Heron Inc' }])) as [string]
    const parked = status({
      accountId,
      subscriptionKey: freshKey(),
      status: 'parked',
      errorCode: 'card_declined',
      errorMessage: 'declined',
    })
    await sink().reportStatuses([parked])
    await sink().reportStatuses([
      {
        ...parked,
        status: 'applied',
        errorCode: undefined,
        errorMessage: undefined,
        billingRef: 'sub_9',
      },
    ])
    const [row] = await rows('Subscription_Sync__c', 'External_Id__c', [parked.amendmentId])
    expect(row).toMatchObject({
      Status__c: 'applied',
      Error_Code__c: null,
      Error_Message__c: null,
      Billing_Ref__c: 'sub_9',
    })
  })

  it('moves Applied_Sequence__c forward only and never re-parents an existing mirror', async () => {
    const [owner, other] = (await put('Account', [{ Name: 'Owner' }, { Name: 'Other' }])) as [
      string,
      string,
    ]
    const key = freshKey()
    await put(
      'Billing_Subscription__c',
      [
        {
          Subscription_Key__c: key,
          Account__c: owner,
          Last_Sequence__c: 6,
          Applied_Sequence__c: 3,
        },
      ],
      'Subscription_Key__c',
    )
    const mirror = async () =>
      (await rows('Billing_Subscription__c', 'Subscription_Key__c', [key]))[0]

    const late = await sink().reportStatuses([
      status({ accountId: other, subscriptionKey: key, sequence: 5, status: 'applied' }),
    ])
    expect(late.failed).toEqual([])
    expect(await mirror()).toMatchObject({
      Applied_Sequence__c: 5,
      Account__c: owner,
      Last_Sequence__c: 6,
    })

    const retriedOlder = await sink().reportStatuses([
      status({ accountId: owner, subscriptionKey: key, sequence: 4, status: 'applied' }),
    ])
    expect(retriedOlder.failed).toEqual([])
    expect(await mirror()).toMatchObject({ Applied_Sequence__c: 5 })

    await sink().reportStatuses([
      status({ accountId: owner, subscriptionKey: key, sequence: 6, status: 'superseded' }),
    ])
    expect(await mirror()).toMatchObject({ Applied_Sequence__c: 5 })
  })

  it('keeps a status whose Account is gone visible by writing it without the lookup', async () => {
    const missingAccount = '001000000000777AAA'
    const s = status({
      accountId: missingAccount,
      subscriptionKey: freshKey(),
      status: 'rejected',
      errorCode: 'account_not_found',
    })
    const before = await apiCalls()
    const report = await sink().reportStatuses([s])
    expect(await apiCalls()).toBe(before + 2)
    expect(report.delivered).toEqual([s.amendmentId])
    const [row] = await rows('Subscription_Sync__c', 'External_Id__c', [s.amendmentId])
    expect(row).toMatchObject({ Account__c: null, Status__c: 'rejected' })
  })

  it('answers per amendment: a locked status record is transient, a rejected one business', async () => {
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
    const report = await sink().reportStatuses([ok, locked, refused])
    expect(report.delivered).toEqual([ok.amendmentId])
    expect(report.failed).toEqual([
      {
        amendmentId: locked.amendmentId,
        error: expect.objectContaining({ kind: 'transient', code: 'UNABLE_TO_LOCK_ROW' }),
      },
      {
        amendmentId: refused.amendmentId,
        error: expect.objectContaining({
          kind: 'business',
          code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        }),
      },
    ])
  })

  it('holds an applied status back when its mirror update fails transiently', async () => {
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
    const applied = status({ accountId, subscriptionKey: key, sequence: 2, status: 'applied' })
    const first = await sink().reportStatuses([applied])
    expect(first.failed).toEqual([
      {
        amendmentId: applied.amendmentId,
        error: expect.objectContaining({ kind: 'transient', code: 'UNABLE_TO_LOCK_ROW' }),
      },
    ])
    const second = await sink().reportStatuses([applied])
    expect(second.delivered).toEqual([applied.amendmentId])
    expect((await rows('Billing_Subscription__c', 'Subscription_Key__c', [key]))[0]).toMatchObject({
      Applied_Sequence__c: 2,
    })
  })
})
