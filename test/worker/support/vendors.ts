import { inject } from 'vitest'

/** The emulators the worker under test talks to (started by test/stack/global-setup.ts). */
export const vendors = () => inject('vendors')

/**
 * Calls an emulator's control API (`/__control/<path>`): GET without a body, POST with one.
 * @throws when the emulator answers anything but 2xx.
 */
export async function emulatorControl<T = Record<string, unknown>>(
  base: string,
  path: string,
  body?: unknown,
): Promise<T> {
  return control<T>(base, path, body)
}

async function control<T>(base: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(
    `${base}/__control/${path}`,
    body === undefined
      ? {}
      : {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        },
  )
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`)
  return await res.json()
}

export interface EmulatorEffect {
  kind: string
  target: string
  correlationId?: string
  detail?: Record<string, unknown>
}

export const stripeEffects = async () =>
  (await control<{ effects: EmulatorEffect[] }>(vendors().stripeUrl, 'effects')).effects
export const netsuiteEffects = async () =>
  (await control<{ effects: EmulatorEffect[] }>(vendors().netsuiteUrl, 'effects')).effects
export const salesforceEffects = async () =>
  (await control<{ effects: EmulatorEffect[] }>(vendors().salesforceUrl, 'effects')).effects

/** Creates an Account in the Salesforce emulator, as a rep would have; returns its Id. */
export async function createAccount(fields: Record<string, unknown> = {}): Promise<string> {
  const answer = await control<{ results: Array<{ id?: string; success?: boolean }> }>(
    vendors().salesforceUrl,
    'salesforce/put',
    {
      object: 'Account',
      records: [
        {
          Name: `Test Co ${crypto.randomUUID().slice(0, 6)}`,
          BillingCity: 'Austin',
          BillingCountry: 'United States',
          CurrencyIsoCode: 'USD',
          Concord_Legal_Entity__c: 'US-INC',
          ...fields,
        },
      ],
    },
  )
  const id = answer.results[0]?.id
  if (!id) throw new Error(`could not create an Account: ${JSON.stringify(answer)}`)
  return id
}

export async function salesforceRecords(object: string): Promise<Array<Record<string, unknown>>> {
  const answer = await control<
    { records?: Array<Record<string, unknown>> } | Array<Record<string, unknown>>
  >(vendors().salesforceUrl, `salesforce/records/${object}`)
  return Array.isArray(answer) ? answer : (answer.records ?? [])
}

export const setFaults = (url: string, rules: unknown[], seed?: number) =>
  control(url, 'faults', { rules, seed })
export const outage = (url: string, seconds: number, route?: string) =>
  control(url, 'outage', { seconds, status: 503, route })
