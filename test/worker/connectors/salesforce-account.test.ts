import { env } from 'cloudflare:workers'
import { emulatorControl } from '../support/vendors.ts'
import { describe, expect, inject, it } from 'vitest'
import { salesforceSinkOf } from '../support/connectors.ts'
import type { SalesforceSink } from '../../../worker/connectors/types.ts'

const { salesforceUrl } = inject('vendors')
const control = (path: string, body?: unknown) => emulatorControl(salesforceUrl, path, body)
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
