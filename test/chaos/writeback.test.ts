import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { WriteRecord } from '../../worker/writer/types.ts'
import { drainWriter } from '../worker/support/helpers.ts'
import { salesforceRecords, vendors } from '../worker/support/vendors.ts'
import { asText } from '../emulators/common/text.ts'
import { refreshBucket } from '../../shared/refresh-bucket.ts'

/*
 * The OrgWriter against the Salesforce emulator, counting API calls there. This file runs in the
 * `chaos` project, whose emulators no other suite shares, so the emulator's counter is ours.
 */

async function control<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(
    `${vendors().salesforceUrl}/__control/${path}`,
    body === undefined
      ? {}
      : {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        },
  )
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  return await res.json()
}

const apiCalls = async () => (await control<{ api: { total: number } }>('state')).api.total

async function accounts(n: number): Promise<string[]> {
  const made = await control<{ results: Array<{ id: string }> }>('salesforce/put', {
    object: 'Account',
    records: Array.from({ length: n }, (_, i) => ({ Name: `Economy ${i}` })),
  })
  return made.results.map((r) => r.id)
}

function invoice(id: string, accountId: string, amount: number, at = Date.now()): WriteRecord {
  return {
    object: 'Billing_Invoice__c',
    externalIdField: 'External_Id__c',
    externalId: id,
    accountId,
    sourceUpdatedAt: at,
    fields: {
      Account__c: accountId,
      Status__c: 'open',
      Amount_Due__c: amount,
      Amount_Remaining__c: amount,
      Currency_Iso__c: 'USD',
    },
  }
}

describe('OrgWriter against the Salesforce emulator', () => {
  it('writes 10,000 updates across 200 accounts, refresh hints included, in at most 15 API calls', async () => {
    const ids = await accounts(200)
    const name = `economy-${crypto.randomUUID()}`
    const writer = env.ORG_WRITER.getByName(name)
    const records = Array.from({ length: 10_000 }, (_, i) =>
      invoice(`in_econ_${name.slice(-6)}_${i}`, ids[i % 200] as string, i + 1),
    )
    const before = await apiCalls()
    for (let i = 0; i < records.length; i += 2_000)
      await writer.enqueue(records.slice(i, i + 2_000))
    await drainWriter(name)
    const used = (await apiCalls()) - before
    const written = (await salesforceRecords('Billing_Invoice__c')).filter((r) =>
      String(r.External_Id__c).startsWith(`in_econ_${name.slice(-6)}_`),
    )
    const hints =
      (await control<{ events: Array<{ fields: Record<string, unknown> }> }>('salesforce/events'))
        .events ?? []
    const hinted = new Set(
      hints.flatMap((e) => asText(e.fields.Buckets__c ?? '').split(',')).filter(Boolean),
    )
    console.log(
      `write-back economy: ${written.length} records, ${used} API calls (${((used / written.length) * 1000).toFixed(2)} per 1,000)`,
    )
    expect(written).toHaveLength(10_000)
    expect(ids.every((id) => hinted.has(refreshBucket(id)))).toBe(true)
    expect(used).toBeLessThanOrEqual(15)
  }, 120_000)

  it('retries only the records that failed for a moment and parks the one Salesforce refuses', async () => {
    const [account] = await accounts(1)
    const name = `faults-${crypto.randomUUID()}`
    const tag = name.slice(-6)
    await control('salesforce/recordFaults', {
      rules: [
        {
          object: 'Billing_Invoice__c',
          externalId: `in_lock_${tag}`,
          statusCode: 'UNABLE_TO_LOCK_ROW',
          times: 2,
        },
        {
          object: 'Billing_Invoice__c',
          externalId: `in_bad_${tag}`,
          statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        },
      ],
    })
    const writer = env.ORG_WRITER.getByName(name)
    await writer.enqueue([
      invoice(`in_ok_${tag}`, account as string, 1),
      invoice(`in_lock_${tag}`, account as string, 2),
      invoice(`in_bad_${tag}`, account as string, 3),
    ])
    await drainWriter(name)
    await control('salesforce/recordFaults', { rules: [] })
    const rows = (await salesforceRecords('Billing_Invoice__c')).filter((r) =>
      String(r.External_Id__c).endsWith(tag),
    )
    expect(rows.map((r) => r.External_Id__c).sort()).toEqual([`in_lock_${tag}`, `in_ok_${tag}`])
    expect(rows.find((r) => r.External_Id__c === `in_ok_${tag}`)?._writes ?? 1).toBe(1)
    const status = await writer.status()
    expect(status.parked).toEqual([
      expect.objectContaining({
        externalId: `in_bad_${tag}`,
        code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      }),
    ])
  }, 120_000)
})
