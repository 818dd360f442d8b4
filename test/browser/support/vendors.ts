import { randomUUID } from 'node:crypto'
import { signRequest } from '../../../worker/lib/signature.ts'
import type { ConsoleStackInfo } from './stack.ts'

/** Calls an emulator's control API (`/__control/<path>`). @throws on a non-2xx answer. */
export async function control(base: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${base}/__control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`)
  return res.json()
}

/**
 * Posts one signed `create` amendment for `accountId`, as the Apex Queueable would.
 * @returns its EventUuid and correlation id.
 */
export async function postCreate(
  stack: ConsoleStackInfo,
  accountId: string,
): Promise<{ eventUuid: string; correlationId: string; subscriptionKey: string }> {
  const eventUuid = randomUUID()
  const correlationId = randomUUID()
  const subscriptionKey = `SUB-BROWSER-${randomUUID().slice(0, 6).toUpperCase()}`
  const body = JSON.stringify({
    events: [
      {
        attributes: { type: 'Subscription_Amendment__e' },
        EventUuid: eventUuid,
        ReplayId: null,
        CreatedDate: new Date().toISOString(),
        CreatedById: null,
        Account_Id__c: accountId,
        Subscription_Key__c: subscriptionKey,
        Sequence__c: 1,
        Action__c: 'create',
        Price_Key__c: 'pro-monthly-usd',
        Quantity__c: 7,
        Effective_Date__c: null,
        Proration__c: 'create_prorations',
        Cancel_Mode__c: null,
        Correlation_Id__c: correlationId,
        Requested_By__c: null,
      },
    ],
  })
  const signed = await signRequest(stack.eventsSecret, {
    method: 'POST',
    target: '/v1/salesforce/events',
    body,
  })
  const res = await fetch(`${stack.workerUrl}/v1/salesforce/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed },
    body,
  })
  if (res.status !== 200) throw new Error(`intake answered ${res.status}: ${await res.text()}`)
  return { eventUuid, correlationId, subscriptionKey }
}
