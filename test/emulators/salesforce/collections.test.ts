import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { collection, startTestOrg, type TestOrg } from './test-support.ts'

const INVOICES = '/composite/sobjects/Billing_Invoice__c/External_Id__c'

describe('PATCH /composite/sobjects/{SObject}/{ExternalIdField}', () => {
  let org: TestOrg
  let accountId: string
  beforeEach(async () => {
    org = await startTestOrg({ seed: true })
    accountId = org.emu.sf.seed().accountIds[0] ?? ''
  })
  afterEach(() => org.close())

  const invoices = () => org.emu.sf.records('Billing_Invoice__c')
  const effects = () => org.emu.effects.all()

  it('creates, then updates, in request order with one result per record and one effect per change', async () => {
    const first = await org.api(
      'PATCH',
      INVOICES,
      collection('Billing_Invoice__c', [
        {
          External_Id__c: 'in_1',
          Account__c: accountId,
          Status__c: 'open',
          Amount_Due__c: 120.5,
          Correlation_Id__c: 'corr-1',
        },
        { External_Id__c: 'in_2', Account__c: accountId, Status__c: 'draft' },
      ]),
    )
    expect(first.status).toBe(200)
    expect(first.body).toEqual([
      { id: expect.stringMatching(/^a02\w{15}$/), success: true, errors: [], created: true },
      { id: expect.stringMatching(/^a02\w{15}$/), success: true, errors: [], created: true },
    ])
    const second = await org.api(
      'PATCH',
      INVOICES,
      collection('Billing_Invoice__c', [
        { External_Id__c: 'in_1', Status__c: 'paid', Amount_Paid__c: 120.5 },
        { External_Id__c: 'in_2', Status__c: 'draft' },
      ]),
    )
    expect(second.body[0]).toEqual({
      id: first.body[0].id,
      success: true,
      errors: [],
      created: false,
    })
    expect(second.body[1]).toMatchObject({ id: first.body[1].id, success: true, created: false })
    const in1 = invoices().find((r) => r.External_Id__c === 'in_1')
    expect(in1).toMatchObject({
      Status__c: 'paid',
      Amount_Due__c: 120.5,
      Amount_Paid__c: 120.5,
      Name: 'INV-000001',
      _writes: 2,
    })
    expect(in1?.Correlation_Id__c).toBe('corr-1')
    expect(org.emu.effects.counts()).toEqual({
      'Billing_Invoice__c.create': 2,
      'Billing_Invoice__c.update': 1,
    })
    expect(effects().find((e) => e.kind === 'Billing_Invoice__c.update')).toMatchObject({
      target: 'in_1',
      correlationId: 'corr-1',
    })
    expect(invoices().find((r) => r.External_Id__c === 'in_2')?._writes).toBe(2)
  })

  it('fails bad records alone when allOrNone is false', async () => {
    const res = await org.api(
      'PATCH',
      INVOICES,
      collection('Billing_Invoice__c', [
        { External_Id__c: 'in_ok', Status__c: 'open' },
        { External_Id__c: 'in_bad_status', Status__c: 'settled' },
        { External_Id__c: 'in_long', Number__c: 'x'.repeat(81) },
        { External_Id__c: 'in_no_account', Account__c: '001000000000000AAA' },
        { External_Id__c: 'in_wrong_kind', Account__c: org.emu.sf.records('User')[0]?.Id },
        { Status__c: 'open' },
      ]),
    )
    expect(res.status).toBe(200)
    expect(res.body.map((r: { success: boolean }) => r.success)).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
    ])
    expect(res.body[1].errors).toEqual([
      {
        statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        message: 'Status: bad value for restricted picklist field: settled',
        fields: ['Status__c'],
      },
    ])
    expect(res.body[2].errors[0]).toMatchObject({
      statusCode: 'STRING_TOO_LONG',
      fields: ['Number__c'],
    })
    expect(res.body[3].errors[0]).toMatchObject({
      statusCode: 'INVALID_CROSS_REFERENCE_KEY',
      fields: ['Account__c'],
    })
    expect(res.body[4].errors[0]).toMatchObject({
      statusCode: 'FIELD_INTEGRITY_EXCEPTION',
      fields: ['Account__c'],
    })
    expect(res.body[5].errors[0]).toMatchObject({ statusCode: 'MISSING_ARGUMENT' })
    expect(invoices().map((r) => r.External_Id__c)).toEqual(['in_ok'])
    expect(org.emu.effects.counts()).toEqual({ 'Billing_Invoice__c.create': 1 })
  })

  it('rolls every record back when allOrNone is true and one fails', async () => {
    await org.api(
      'PATCH',
      INVOICES,
      collection('Billing_Invoice__c', [{ External_Id__c: 'in_existing', Status__c: 'open' }]),
    )
    const effectsBefore = effects().length
    const res = await org.api(
      'PATCH',
      INVOICES,
      collection(
        'Billing_Invoice__c',
        [
          { External_Id__c: 'in_existing', Status__c: 'paid' },
          { External_Id__c: 'in_new', Status__c: 'open' },
          { External_Id__c: 'in_broken', Status__c: 'nope' },
        ],
        true,
      ),
    )
    expect(res.status).toBe(200)
    const rolledBack = {
      statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      message:
        'Record rolled back because not all records were valid and the request was using AllOrNone header',
      fields: [],
    }
    expect(res.body[0]).toEqual({ success: false, errors: [rolledBack] })
    expect(res.body[1]).toEqual({ success: false, errors: [rolledBack] })
    expect(res.body[2].errors[0].statusCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST')
    expect(invoices()).toHaveLength(1)
    expect(invoices()[0]).toMatchObject({
      External_Id__c: 'in_existing',
      Status__c: 'open',
      _writes: 1,
    })
    expect(effects()).toHaveLength(effectsBefore)
  })

  it('resolves a lookup given by the parent external id, and reports a missing parent', async () => {
    await org.api(
      'PATCH',
      INVOICES,
      collection('Billing_Invoice__c', [{ External_Id__c: 'in_parent', Status__c: 'open' }]),
    )
    const res = await org.api(
      'PATCH',
      '/composite/sobjects/Billing_Payment__c/External_Id__c',
      collection('Billing_Payment__c', [
        {
          External_Id__c: 'py_1',
          Invoice__r: { External_Id__c: 'in_parent' },
          Amount__c: 10,
          Status__c: 'succeeded',
        },
        { External_Id__c: 'py_2', Invoice__r: { External_Id__c: 'in_missing' }, Amount__c: 10 },
      ]),
    )
    expect(res.body[0].success).toBe(true)
    expect(res.body[1].errors[0]).toEqual({
      statusCode: 'INVALID_FIELD',
      message:
        'Foreign key external ID: in_missing not found for field External_Id__c in entity Billing_Invoice__c',
      fields: [],
    })
    const parent = invoices()[0]
    expect(org.emu.sf.records('Billing_Payment__c')).toEqual([
      expect.objectContaining({ External_Id__c: 'py_1', Invoice__c: parent?.Id }),
    ])
  })

  it('matches external ids case-sensitively, as the deployed fields are', async () => {
    await org.api(
      'PATCH',
      INVOICES,
      collection('Billing_Invoice__c', [{ External_Id__c: 'in_AbC', Status__c: 'open' }]),
    )
    const res = await org.api(
      'PATCH',
      INVOICES,
      collection('Billing_Invoice__c', [{ External_Id__c: 'in_abc', Status__c: 'open' }]),
    )
    expect(res.body[0].created).toBe(true)
    expect(invoices()).toHaveLength(2)
  })

  it('fails duplicate external ids within one request', async () => {
    const res = await org.api(
      'PATCH',
      INVOICES,
      collection('Billing_Invoice__c', [
        { External_Id__c: 'in_dup', Status__c: 'open' },
        { External_Id__c: 'in_dup', Status__c: 'paid' },
      ]),
    )
    expect(
      res.body.map((r: { errors: { statusCode: string }[] }) => r.errors[0]?.statusCode),
    ).toEqual(['DUPLICATE_EXTERNAL_ID', 'DUPLICATE_EXTERNAL_ID'])
    expect(invoices()).toHaveLength(0)
  })

  it.each([
    ['an unknown field', { External_Id__c: 'in_x', Bogus__c: 1 }, 'INVALID_FIELD'],
    [
      'a string for a number',
      { External_Id__c: 'in_x', Amount_Due__c: 'lots' },
      'JSON_PARSER_ERROR',
    ],
    [
      'a bad date',
      { External_Id__c: 'in_x', Due_Date__c: '2026-13-45T00:00:00Z' },
      'JSON_PARSER_ERROR',
    ],
    [
      'an object for a text field',
      { External_Id__c: 'in_x', Number__c: { a: 1 } },
      'JSON_PARSER_ERROR',
    ],
  ])('fails the whole request with 400 for %s', async (_, record, errorCode) => {
    const res = await org.api(
      'PATCH',
      INVOICES,
      collection('Billing_Invoice__c', [{ External_Id__c: 'in_fine' }, record]),
    )
    expect(res.status).toBe(400)
    expect(res.body[0].errorCode).toBe(errorCode)
    expect(invoices()).toHaveLength(0)
  })

  it('refuses more than 200 records, a mixed type and a non-external-id key field', async () => {
    const many = Array.from({ length: 201 }, (_, i) => ({ External_Id__c: `in_${i}` }))
    const tooMany = await org.api('PATCH', INVOICES, collection('Billing_Invoice__c', many))
    expect(tooMany).toMatchObject({ status: 400, body: [{ errorCode: 'EXCEEDED_ID_LIMIT' }] })
    const mixed = await org.api(
      'PATCH',
      INVOICES,
      collection('Billing_Payment__c', [{ External_Id__c: 'py_1' }]),
    )
    expect(mixed.status).toBe(400)
    const notExt = await org.api(
      'PATCH',
      '/composite/sobjects/Billing_Invoice__c/Number__c',
      collection('Billing_Invoice__c', [{ Number__c: 'A' }]),
    )
    expect(notExt).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_FIELD' }] })
    expect(invoices()).toHaveLength(0)
  })

  it('refuses writes to read-only fields such as the Auto Number Name', async () => {
    const res = await org.api(
      'PATCH',
      INVOICES,
      collection('Billing_Invoice__c', [{ External_Id__c: 'in_named', Name: 'mine' }]),
    )
    expect(res.body[0].errors[0]).toMatchObject({
      statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      fields: ['Name'],
    })
  })
})

describe('PATCH /composite/sobjects (sObject Collections update)', () => {
  let org: TestOrg
  beforeEach(async () => {
    org = await startTestOrg({ seed: true })
  })
  afterEach(() => org.close())

  it('updates records of several types by id, one SaveResult each, and never creates', async () => {
    const [accountId = ''] = org.emu.sf.seed().accountIds
    const res = await org.api('PATCH', '/composite/sobjects', {
      allOrNone: false,
      records: [
        { attributes: { type: 'Account' }, id: accountId, Concord_Standing__c: 'watch' },
        { attributes: { type: 'Account' }, id: '001000000000404AAA', Concord_Standing__c: 'hold' },
        { attributes: { type: 'Account' }, Concord_Standing__c: 'hold' },
      ],
    })
    expect(res.status).toBe(200)
    expect(res.body).toEqual([
      { id: accountId, success: true, errors: [] },
      { success: false, errors: [expect.objectContaining({ statusCode: 'NOT_FOUND' })] },
      { success: false, errors: [expect.objectContaining({ statusCode: 'MISSING_ARGUMENT' })] },
    ])
    const account = org.emu.sf.records('Account').find((r) => r.Id === accountId)
    expect(account).toMatchObject({ Concord_Standing__c: 'watch' })
  })
})

describe('POST /composite/sobjects (sObject Collections create)', () => {
  let org: TestOrg
  beforeEach(async () => {
    org = await startTestOrg({ seed: true })
  })
  afterEach(() => org.close())

  it('creates in order, one SaveResult each, and fails a taken external id without touching its holder', async () => {
    const [owner = '', other = ''] = org.emu.sf.seed().accountIds
    const res = await org.api('POST', '/composite/sobjects', {
      allOrNone: false,
      records: [
        {
          attributes: { type: 'Billing_Subscription__c' },
          Subscription_Key__c: 'S-1',
          Account__c: owner,
        },
        {
          attributes: { type: 'Billing_Subscription__c' },
          Subscription_Key__c: 'S-1',
          Account__c: other,
        },
        {
          attributes: { type: 'Billing_Subscription__c' },
          id: 'a0000000000001AAA',
          Subscription_Key__c: 'S-2',
        },
      ],
    })
    expect(res.status).toBe(200)
    expect(res.body).toEqual([
      { id: expect.stringMatching(/^\w{18}$/), success: true, errors: [] },
      {
        success: false,
        errors: [
          expect.objectContaining({
            statusCode: 'DUPLICATE_VALUE',
            message: expect.stringContaining('duplicate value found: Subscription_Key__c'),
          }),
        ],
      },
      {
        success: false,
        errors: [expect.objectContaining({ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE' })],
      },
    ])
    const mirrors = org.emu.sf.records('Billing_Subscription__c')
    expect(mirrors.filter((r) => r.Subscription_Key__c === 'S-1')).toEqual([
      expect.objectContaining({ Account__c: owner, _writes: 1 }),
    ])
    expect(mirrors.some((r) => r.Subscription_Key__c === 'S-2')).toBe(false)
  })

  it('rolls every record back when allOrNone is true and one fails', async () => {
    const [owner = ''] = org.emu.sf.seed().accountIds
    const res = await org.api('POST', '/composite/sobjects', {
      allOrNone: true,
      records: [
        {
          attributes: { type: 'Billing_Subscription__c' },
          Subscription_Key__c: 'S-9',
          Account__c: owner,
        },
        { attributes: { type: 'Billing_Subscription__c' }, Subscription_Key__c: 'S-9' },
      ],
    })
    expect(res.body).toEqual([
      {
        success: false,
        errors: [expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' })],
      },
      { success: false, errors: [expect.objectContaining({ statusCode: 'DUPLICATE_VALUE' })] },
    ])
    expect(
      org.emu.sf.records('Billing_Subscription__c').some((r) => r.Subscription_Key__c === 'S-9'),
    ).toBe(false)
  })
})
