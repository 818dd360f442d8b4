import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTestOrg, type TestOrg } from './test-support.ts'

describe('POST /sobjects/{Event__e} (platform event publish)', () => {
  let org: TestOrg
  beforeEach(async () => {
    org = await startTestOrg({ seed: true })
  })
  afterEach(() => org.close())

  it('answers 201 with OPERATION_ENQUEUED carrying the EventUuid, and puts the event on the bus', async () => {
    const res = await org.api('POST', '/sobjects/Concord_Refresh__e/', {
      Buckets__c: '3f,a0',
      Reason__c: 'invoice.paid',
    })
    expect(res.status).toBe(201)
    expect(res.body).toEqual({
      id: expect.stringMatching(/^e01\w{15}$/),
      success: true,
      errors: [
        {
          statusCode: 'OPERATION_ENQUEUED',
          message: expect.stringMatching(/^[0-9a-f-]{36}$/),
          fields: [],
        },
      ],
    })
    const [event] = org.emu.sf.org.bus.retained('/event/Concord_Refresh__e')
    expect(event).toMatchObject({
      uuid: res.body.errors[0].message,
      fields: { Buckets__c: '3f,a0', Reason__c: 'invoice.paid' },
    })
    expect(org.emu.effects.all()).toEqual([
      expect.objectContaining({ kind: 'event.publish.Concord_Refresh__e', target: event?.uuid }),
    ])
  })

  it('gives events increasing replay ids and fills unset fields with null', async () => {
    const a = org.emu.sf.publish('Subscription_Amendment__e', [
      {
        Subscription_Key__c: 'SUB-KESTREL-1',
        Sequence__c: 2,
        Action__c: 'change_quantity',
        Correlation_Id__c: 'c-a',
      },
    ])
    const b = await org.api('POST', '/sobjects/Subscription_Amendment__e', {
      Subscription_Key__c: 'SUB-KESTREL-1',
      Sequence__c: 3,
      Action__c: 'cancel',
      Correlation_Id__c: 'c-b',
    })
    expect(b.status).toBe(201)
    const events = org.emu.sf.org.bus.retained('/event/Subscription_Amendment__e')
    expect(events).toHaveLength(2)
    expect(events[1]!.replayId).toBeGreaterThan(a[0]!.replayId)
    expect(events[0]?.fields).toMatchObject({
      Quantity__c: null,
      Effective_Date__c: null,
      Sequence__c: 2,
    })
    expect(org.emu.effects.all()).toEqual([
      expect.objectContaining({
        kind: 'event.publish.Subscription_Amendment__e',
        correlationId: 'c-b',
      }),
    ])
  })

  it('refuses an unknown field or an over-long value and publishes nothing', async () => {
    const unknown = await org.api('POST', '/sobjects/Concord_Refresh__e', { Nope__c: 1 })
    expect(unknown).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_FIELD' }] })
    const long = await org.api('POST', '/sobjects/Concord_Refresh__e', {
      Reason__c: 'r'.repeat(41),
    })
    expect(long).toMatchObject({
      status: 400,
      body: [{ errorCode: 'STRING_TOO_LONG', fields: ['Reason__c'] }],
    })
    const standard = await org.api('POST', '/sobjects/Concord_Refresh__e', { EventUuid: 'mine' })
    expect(standard.body[0].errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE')
    expect(org.emu.sf.org.bus.retained()).toHaveLength(0)
    expect(org.emu.effects.all()).toHaveLength(0)
  })

  it('publishes Apex-side amendment events through the control API without counting API calls', async () => {
    const res = await org.control('publish', {
      event: 'Subscription_Amendment__e',
      payloads: [
        {
          Account_Id__c: org.emu.sf.seed().accountIds[0],
          Subscription_Key__c: 'SUB-KESTREL-1',
          Sequence__c: 2,
          Action__c: 'change_quantity',
          Quantity__c: 30,
          Correlation_Id__c: 'corr-9',
        },
      ],
    })
    expect(res.status).toBe(200)
    expect(res.body.events).toEqual([
      {
        replayId: expect.any(Number),
        EventUuid: expect.any(String),
        channel: '/event/Subscription_Amendment__e',
      },
    ])
    expect((await org.state()).api.total).toBe(0)
    expect(org.emu.effects.all()).toHaveLength(0)
    const bad = await org.control('publish', {
      event: 'Subscription_Amendment__e',
      payload: { Quantity__c: 'many' },
    })
    expect(bad.status).toBe(400)
  })
})
