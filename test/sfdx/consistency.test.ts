import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SALESFORCE_SCHEMA, type SalesforceFieldType } from '../../shared/salesforce-schema.ts'
import { DEFAULT, LWC, SFDX, filesUnder, read, rel, tag, tags } from './project.ts'
import { hasField, loadObjects, relationships } from './metadata.ts'

const objects = loadObjects()
const relations = relationships(objects)
const APEX = filesUnder(SFDX, (name) => name.endsWith('.cls') || name.endsWith('.trigger'))
const LWC_SOURCES = filesUnder(LWC, (name) => name.endsWith('.js') || name.endsWith('.html'))
const allFieldNames = new Set([...objects.values()].flatMap((o) => [...o.fields.keys()]))

/** What a schema entry must look like in a CustomField file. */
function expectedXml(type: SalesforceFieldType): Record<string, string | undefined> {
  switch (type.type) {
    case 'Text':
      return {
        type: 'Text',
        length: String(type.length),
        externalId: type.externalId ? 'true' : undefined,
        unique: type.unique ? 'true' : undefined,
      }
    case 'LongTextArea':
      return { type: 'LongTextArea', length: String(type.length) }
    case 'Number':
    case 'Currency':
      return { type: type.type, precision: String(type.precision), scale: String(type.scale) }
    case 'Lookup':
      return { type: 'Lookup', referenceTo: type.referenceTo }
    case 'Picklist':
      return { type: 'Picklist', restricted: 'true' }
    default:
      return { type: type.type }
  }
}

/** Text inside the parentheses that open at `open`, honouring nesting and Apex string literals. */
function balanced(source: string, open: number): string {
  let depth = 0
  let inString = false
  for (let i = open; i < source.length; i++) {
    const c = source[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === "'") inString = false
    } else if (c === "'") inString = true
    else if (c === '(') depth++
    else if (c === ')' && --depth === 0) return source.slice(open + 1, i)
  }
  return source.slice(open + 1)
}

const withoutComments = (source: string) =>
  source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')

describe('SALESFORCE_SCHEMA against sfdx metadata', () => {
  for (const [objectName, schema] of Object.entries(SALESFORCE_SCHEMA)) {
    describe(objectName, () => {
      const object = objects.get(objectName)

      it('is declared with the right kind', () => {
        expect(object, `${objectName} missing under objects/`).toBeDefined()
        if (schema.kind === 'StandardObject') {
          expect(object?.xml).toBeUndefined()
        } else if (schema.kind === 'PlatformEvent') {
          expect(tag(object?.xml ?? '', 'eventType')).toBe('HighVolume')
        } else {
          expect(tag(object?.xml ?? '', 'nameField')).toBeDefined()
          expect(tag(object?.xml ?? '', 'sharingModel')).toMatch(/^(ReadWrite|ControlledByParent)$/)
        }
      })

      it('declares exactly the schema fields', () => {
        expect([...(object?.fields.keys() ?? [])].sort()).toEqual(Object.keys(schema.fields).sort())
      })

      for (const [fieldName, type] of Object.entries(schema.fields) as [
        string,
        SalesforceFieldType,
      ][]) {
        it(`${fieldName} matches ${type.type}`, () => {
          const field = object?.fields.get(fieldName)
          expect(field, `${objectName}.${fieldName} missing`).toBeDefined()
          const xml = field?.xml ?? ''
          for (const [element, value] of Object.entries(expectedXml(type))) {
            expect(tag(xml, element) ?? undefined, `${objectName}.${fieldName} <${element}>`).toBe(
              value,
            )
          }
          if (type.type === 'Picklist') {
            const values = [...xml.matchAll(/<value>\s*<fullName>([^<]+)<\/fullName>/g)].map(
              (m) => m[1],
            )
            expect(values).toEqual([...type.values])
          }
          expect(tag(xml, 'description'), 'description').toBeTruthy()
          expect(tag(xml, 'inlineHelpText'), 'help text').toBeTruthy()
        })
      }
    })
  }

  it('publishes amendments after commit and gives lookups to Account the agreed relationship names', () => {
    expect(tag(objects.get('Subscription_Amendment__e')?.xml ?? '', 'publishBehavior')).toBe(
      'PublishAfterCommit',
    )
    const toAccount = relations
      .filter((r) => r.parent === 'Account')
      .map((r) => `${r.child}:${r.name}`)
      .sort()
    expect(toAccount).toEqual([
      'Billing_Credit_Note__c:Credit_Notes',
      'Billing_Invoice__c:Invoices',
      'Billing_Payment__c:Payments',
      'Billing_Subscription__c:Subscriptions',
      'Subscription_Sync__c:Subscription_Syncs',
    ])
  })
})

describe('Apex references', () => {
  it.each(APEX.map((path) => [rel(path), path]))(
    '%s refers only to declared objects and fields',
    (_name, path) => {
      const source = withoutComments(read(path))
      const problems: string[] = []

      for (const match of source.matchAll(
        /\[\s*SELECT\s+([\s\S]*?)\s+FROM\s+(\w+)([\s\S]*?)\]/gi,
      )) {
        const [, selectList = '', object = '', rest = ''] = match
        for (const field of selectList.split(',').map((f) => f.trim())) {
          if (/^COUNT\(\)$/i.test(field)) continue
          if (!hasField(objects, object, field)) problems.push(`SOQL ${object}.${field}`)
        }
        for (const [field] of rest.matchAll(/\b\w+__c\b/g)) {
          if (!hasField(objects, object, field)) problems.push(`SOQL ${object}.${field}`)
        }
      }

      for (const match of source.matchAll(/new\s+(\w+__[ce])\s*\(/g)) {
        const object = match[1] ?? ''
        const args = balanced(source, (match.index ?? 0) + match[0].length - 1)
        for (const [, field = ''] of args.matchAll(/\b(\w+__c)\s*=(?!=)/g)) {
          if (!hasField(objects, object, field)) problems.push(`new ${object}(${field})`)
        }
      }

      for (const [token] of source.matchAll(/\b\w+__[ce]\b/g)) {
        if (!objects.has(token) && !allFieldNames.has(token)) problems.push(`unknown ${token}`)
      }
      expect(problems).toEqual([])
    },
  )
})

describe('LWC references', () => {
  it.each(LWC_SOURCES.map((path) => [rel(path), path]))(
    '%s refers only to declared objects and fields',
    (_name, path) => {
      const source = read(path)
      const problems: string[] = []

      for (const [, object = '', field = ''] of source.matchAll(
        /@salesforce\/schema\/(\w+)\.(\w+)/g,
      )) {
        if (!hasField(objects, object, field)) problems.push(`schema import ${object}.${field}`)
      }
      for (const [, object = '', field = ''] of source.matchAll(/'-?(\w+__[ce])\.(\w+)'/g)) {
        if (!hasField(objects, object, field)) problems.push(`field ${object}.${field}`)
      }
      for (const wire of source.matchAll(/@wire\(getRelatedListRecords,\s*\{([\s\S]*?)\}\)/g)) {
        const config = wire[1] ?? ''
        const listId = /relatedListId:\s*'(\w+)__r'/.exec(config)?.[1]
        const relation = relations.find((r) => r.name === listId && r.parent === 'Account')
        if (!relation) {
          problems.push(`related list ${listId}__r is not a relationship to Account`)
          continue
        }
        const where = /where:\s*'([^']*)'/.exec(config)?.[1] ?? ''
        for (const [field] of where.matchAll(/\b\w+__c\b/g)) {
          if (!hasField(objects, relation.child, field))
            problems.push(`where ${relation.child}.${field}`)
        }
        for (const [, object = ''] of config.matchAll(/'-?(\w+__c)\.\w+'/g)) {
          if (object !== relation.child) problems.push(`${listId}__r lists fields of ${object}`)
        }
      }
      for (const [token] of source.matchAll(/\b\w+__[ce]\b/g)) {
        if (!objects.has(token) && !allFieldNames.has(token)) problems.push(`unknown ${token}`)
      }
      expect(problems).toEqual([])
    },
  )

  it('the check catches a misspelt field (so it can fail)', () => {
    expect(hasField(objects, 'Billing_Invoice__c', 'Amount_Due__c')).toBe(true)
    expect(hasField(objects, 'Billing_Invoice__c', 'Amount_Owed__c')).toBe(false)
    expect(hasField(objects, 'Account', 'Concord_Balance__c')).toBe(true)
    expect(hasField(objects, 'Account', 'Name')).toBe(true)
  })
})

describe('metadata cross-references', () => {
  const permissionSets = filesUnder(join(DEFAULT, 'permissionsets'), (n) =>
    n.endsWith('.permissionset-meta.xml'),
  )
  const classNames = new Set(
    APEX.map((p) =>
      p
        .split('/')
        .pop()
        ?.replace(/\.cls$|\.trigger$/, ''),
    ),
  )
  const bundles = new Set(
    filesUnder(LWC, (n) => n.endsWith('.js-meta.xml')).map((p) =>
      p.split('/').pop()?.replace('.js-meta.xml', ''),
    ),
  )

  it.each(permissionSets.map((path) => [rel(path), path]))(
    '%s grants only declared objects, fields and classes',
    (_name, path) => {
      const xml = read(path)
      for (const field of tags(xml, 'field')) {
        const [object = '', name = ''] = field.split('.')
        expect(hasField(objects, object, name), field).toBe(true)
      }
      // Standard objects: Account (read and written), Product2 (read by the catalog check).
      for (const object of tags(xml, 'object'))
        expect(['Account', 'Product2'].includes(object) || objects.has(object), object).toBe(true)
      for (const apexClass of tags(xml, 'apexClass'))
        expect(classNames.has(apexClass), apexClass).toBe(true)
      for (const block of tags(xml, 'objectPermissions')) {
        expect(tag(block, 'allowDelete'), `${tag(block, 'object')} delete`).toBe('false')
        expect(tag(block, 'modifyAllRecords'), `${tag(block, 'object')} modify all`).toBe('false')
      }
    },
  )

  const permissionSet = (name: string) =>
    read(join(DEFAULT, 'permissionsets', `${name}.permissionset-meta.xml`))

  it('makes the Concord_Admin group of Concord_Sales and Concord_Operations, which adds the error text', () => {
    const group = read(
      join(DEFAULT, 'permissionsetgroups', 'Concord_Admin.permissionsetgroup-meta.xml'),
    )
    expect(tags(group, 'permissionSets').sort()).toEqual(['Concord_Operations', 'Concord_Sales'])
    const sales = permissionSet('Concord_Sales')
    const operations = permissionSet('Concord_Operations')
    expect(tags(operations, 'field')).toContain('Subscription_Sync__c.Error_Message__c')
    expect(tags(sales, 'field')).not.toContain('Subscription_Sync__c.Error_Message__c')
  })

  it('lets Concord_Viewer read what Concord_Sales reads, and amend nothing', () => {
    const sales = permissionSet('Concord_Sales')
    const viewer = permissionSet('Concord_Viewer')
    expect(tags(viewer, 'fieldPermissions').sort()).toEqual(tags(sales, 'fieldPermissions').sort())
    expect(tags(sales, 'customPermissions').map((b) => tag(b, 'name'))).toEqual([
      'Concord_Amend_Subscriptions',
    ])
    for (const element of ['customPermissions', 'classAccesses', 'externalCredentialPrincipal'])
      expect(tags(viewer, element), element).toEqual([])
    const creatable = tags(viewer, 'objectPermissions').filter(
      (b) => tag(b, 'allowCreate') === 'true',
    )
    expect(creatable).toEqual([])
  })

  it('lets the integration user write what the worker writes and only read the legal entity', () => {
    const xml = read(join(DEFAULT, 'permissionsets', 'Concord_Integration.permissionset-meta.xml'))
    const editable = tags(xml, 'fieldPermissions')
      .filter((b) => tag(b, 'editable') === 'true')
      .map((b) => tag(b, 'field'))
    expect(editable).toContain('Billing_Invoice__c.Amount_Remaining__c')
    expect(editable).toContain('Account.Concord_Standing__c')
    expect(editable).not.toContain('Account.Concord_Legal_Entity__c')
    expect(tags(xml, 'fieldPermissions').map((b) => tag(b, 'field'))).toContain(
      'Account.Concord_Legal_Entity__c',
    )
    expect(tags(xml, 'apexClass')).toEqual([])
    // Sequence numbers are Salesforce's (AmendmentPublisher); the worker only reads them.
    const lastSequence = tags(xml, 'fieldPermissions').find(
      (b) => tag(b, 'field') === 'Billing_Subscription__c.Last_Sequence__c',
    )
    expect(tag(lastSequence ?? '', 'editable')).toBe('false')
  })

  it('runs the relay trigger as a user whose Concord_Relay set holds the principal and the sync rows', () => {
    const config = read(
      join(
        SFDX,
        'org',
        'PlatformEventSubscriberConfigs',
        'SubscriptionAmendmentRelayConfig.platformEventSubscriberConfig-meta.xml',
      ),
    )
    expect(tag(config, 'platformEventConsumer')).toBe('SubscriptionAmendmentRelay')
    expect(APEX.map((p) => p.split('/').pop())).toContain('SubscriptionAmendmentRelay.trigger')
    // One trigger run is one Queueable and one callout: the batch is the relay's chunk.
    const relay = read(APEX.find((p) => p.endsWith('/AmendmentRelay.cls')) ?? '')
    expect(tag(config, 'batchSize')).toBe(/chunkSize = (\d+);/.exec(relay)?.[1])
    expect(tag(config, 'user')).toMatch(/^[^@\s]+@[^@\s]+$/)

    const external = read(
      join(DEFAULT, 'externalCredentials', 'Concord_Worker.externalCredential-meta.xml'),
    )
    const xml = permissionSet('Concord_Relay')
    expect(tag(xml, 'externalCredentialPrincipal')).toBe(
      `Concord_Worker-${tag(external, 'parameterName')}`,
    )
    expect(tags(xml, 'apexClass').sort()).toEqual([
      'AmendmentRelay',
      'AmendmentRelayFinalizer',
      'WorkerClient',
    ])
    const objectAccess = Object.fromEntries(
      tags(xml, 'objectPermissions').map((b) => [
        tag(b, 'object'),
        ['allowRead', 'allowCreate', 'allowEdit'].filter((p) => tag(b, p) === 'true'),
      ]),
    )
    expect(objectAccess).toEqual({
      Subscription_Amendment__e: ['allowRead'],
      Subscription_Sync__c: ['allowRead', 'allowCreate', 'allowEdit'],
    })
    const editable = tags(xml, 'fieldPermissions')
      .filter((b) => tag(b, 'editable') === 'true')
      .map((b) => tag(b, 'field'))
    for (const field of ['External_Id__c', 'Status__c', 'Error_Code__c', 'Error_Message__c'])
      expect(editable).toContain(`Subscription_Sync__c.${field}`)
  })

  it('places existing components and points the credential at its principal', () => {
    const flexipage = read(
      join(DEFAULT, 'flexipages', 'Concord_Account_Record_Page.flexipage-meta.xml'),
    )
    for (const name of tags(flexipage, 'componentName').filter((n) => n.startsWith('c:'))) {
      expect(bundles.has(name.slice(2)), name).toBe(true)
    }
    const action = read(
      join(DEFAULT, 'quickActions', 'Account.Amend_Subscription.quickAction-meta.xml'),
    )
    expect(bundles.has(tag(action, 'lightningWebComponent'))).toBe(true)
    const named = read(join(DEFAULT, 'namedCredentials', 'Concord_Worker.namedCredential-meta.xml'))
    const external = read(
      join(DEFAULT, 'externalCredentials', 'Concord_Worker.externalCredential-meta.xml'),
    )
    expect(tag(named, 'externalCredential')).toBe('Concord_Worker')
    const principal = tag(external, 'parameterName')
    expect(tag(permissionSet('Concord_Sales'), 'externalCredentialPrincipal')).toBe(
      `Concord_Worker-${principal}`,
    )
  })
})
