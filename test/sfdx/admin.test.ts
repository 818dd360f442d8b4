import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SALESFORCE_SCHEMA } from '../../shared/salesforce-schema.ts'
import { DEFAULT, filesUnder, read, tag, tags } from './project.ts'
import { hasField, loadObjects, relationships } from './metadata.ts'

const objects = loadObjects()
const CUSTOM = Object.entries(SALESFORCE_SCHEMA)
  .filter(([, schema]) => schema.kind === 'CustomObject')
  .map(([name]) => name)
const schemaFields = (object: string): string[] =>
  Object.keys(Object.entries(SALESFORCE_SCHEMA).find(([name]) => name === object)?.[1].fields ?? {})
const layoutOf = (object: string) =>
  readdirSync(join(DEFAULT, 'layouts')).find((f) => f.startsWith(`${object}-`))
/** A list view or layout column: `NAME` is the record name, the rest are field API names. */
const fieldOf = (column: string) => (column === 'NAME' ? 'Name' : column)

describe('the admin experience in Salesforce', () => {
  describe.each(CUSTOM)('%s', (object) => {
    const dir = join(DEFAULT, 'objects', object)

    it('has a tab, a layout, a compact layout assigned and an All list view', () => {
      expect(existsSync(join(DEFAULT, 'tabs', `${object}.tab-meta.xml`)), 'tab').toBe(true)
      expect(layoutOf(object), 'layout').toBeDefined()
      const assigned = tag(read(join(dir, `${object}.object-meta.xml`)), 'compactLayoutAssignment')
      expect(existsSync(join(dir, 'compactLayouts', `${assigned}.compactLayout-meta.xml`))).toBe(
        true,
      )
      expect(existsSync(join(dir, 'listViews', 'All.listView-meta.xml'))).toBe(true)
    })

    it('names only declared fields in its layout, compact layout and list views', () => {
      const named = [
        ...tags(read(join(DEFAULT, 'layouts', layoutOf(object) ?? '')), 'field'),
        ...filesUnder(join(dir, 'compactLayouts'), () => true).flatMap((f) =>
          tags(read(f), 'fields'),
        ),
        ...filesUnder(join(dir, 'listViews'), () => true).flatMap((f) => [
          ...tags(read(f), 'columns'),
          ...tags(read(f), 'field'),
        ]),
      ]
      expect(named.length).toBeGreaterThan(10)
      for (const field of named) expect(hasField(objects, object, fieldOf(field)), field).toBe(true)
    })

    it('shows every field of the schema on its layout, read only (the worker owns them)', () => {
      const layout = read(join(DEFAULT, 'layouts', layoutOf(object) ?? ''))
      const items = tags(layout, 'layoutItems')
      const shown = items.map((item) => tag(item, 'field'))
      expect(shown).toEqual(expect.arrayContaining(schemaFields(object)))
      for (const item of items) expect(tag(item, 'behavior'), tag(item, 'field')).toBe('Readonly')
    })
  })

  it('puts Accounts and every Concord object in the Concord app, visible to viewers and reps', () => {
    const app = read(join(DEFAULT, 'applications', 'Concord.app-meta.xml'))
    expect(tags(app, 'tabs')).toEqual(expect.arrayContaining(['standard-Account', ...CUSTOM]))
    expect(tag(app, 'uiType')).toBe('Lightning')
    for (const set of ['Concord_Viewer', 'Concord_Sales']) {
      const xml = read(join(DEFAULT, 'permissionsets', `${set}.permissionset-meta.xml`))
      expect(tag(tag(xml, 'applicationVisibilities') ?? '', 'application'), set).toBe('Concord')
      const visible = tags(xml, 'tabSettings')
        .filter((b) => tag(b, 'visibility') === 'Visible')
        .map((b) => tag(b, 'tab'))
      expect(visible.sort(), set).toEqual([...CUSTOM].sort())
    }
  })

  it('lets no rep-facing permission set read the amendment event, which carries Account ids', () => {
    // Anyone who may read a platform event can subscribe to all of it with empApi; the refresh
    // hint reps read names buckets only (shared/refresh-bucket.ts).
    for (const set of ['Concord_Viewer', 'Concord_Sales', 'Concord_Operations']) {
      const xml = read(join(DEFAULT, 'permissionsets', `${set}.permissionset-meta.xml`))
      const readable = tags(xml, 'objectPermissions')
        .filter((b) => tag(b, 'allowRead') === 'true')
        .map((b) => tag(b, 'object'))
      expect(readable, set).not.toContain('Subscription_Amendment__e')
    }
    const hint = objects.get('Concord_Refresh__e')
    expect([...(hint?.fields.keys() ?? [])].sort()).toEqual(['Buckets__c', 'Reason__c'])
  })

  it('has a Concord Setup tab in the app: a page with the setup component, for the admin group only', () => {
    const app = read(join(DEFAULT, 'applications', 'Concord.app-meta.xml'))
    expect(tags(app, 'tabs')).toContain('Concord_Setup')
    const tab = read(join(DEFAULT, 'tabs', 'Concord_Setup.tab-meta.xml'))
    const page = read(join(DEFAULT, 'flexipages', `${tag(tab, 'flexiPage')}.flexipage-meta.xml`))
    expect(tags(page, 'type').at(-1)).toBe('AppPage')
    expect(tags(page, 'componentName')).toEqual(['c:concordSetup'])
    const visibleTo = (set: string) =>
      tags(read(join(DEFAULT, 'permissionsets', `${set}.permissionset-meta.xml`)), 'tabSettings')
        .filter((b) => tag(b, 'visibility') === 'Visible')
        .map((b) => tag(b, 'tab'))
    expect(visibleTo('Concord_Operations')).toEqual(['Concord_Setup'])
    for (const set of ['Concord_Viewer', 'Concord_Sales'])
      expect(visibleTo(set)).not.toContain('Concord_Setup')
    const operations = read(
      join(DEFAULT, 'permissionsets', 'Concord_Operations.permissionset-meta.xml'),
    )
    expect(tags(operations, 'apexClass')).toEqual([
      'ConcordActivationController',
      'ConcordMoneyController',
      'ConcordPing',
      'ConcordSetupController',
    ])
  })

  it('builds report types on declared relationships and fields', () => {
    const byName = new Map(
      relationships(objects).map((r): [string, string] => [`${r.parent}.${r.name}__r`, r.child]),
    )
    const files = filesUnder(join(DEFAULT, 'reportTypes'), (n) =>
      n.endsWith('.reportType-meta.xml'),
    )
    expect(files).toHaveLength(2)
    for (const file of files) {
      const xml = read(file)
      const base = tag(xml, 'baseObject') ?? ''
      const join_ = tag(tag(xml, 'join') ?? '', 'relationship')
      const tables = new Map([[base, base]])
      if (join_) {
        const child = byName.get(`${base}.${join_}`)
        expect(child, `${base}.${join_}`).toBeDefined()
        tables.set(`${base}.${join_}`, child ?? '')
      }
      for (const column of tags(xml, 'columns')) {
        const object = tables.get(tag(column, 'table') ?? '')
        expect(object, tag(column, 'table')).toBeDefined()
        expect(
          hasField(objects, object ?? '', tag(column, 'field') ?? ''),
          tag(column, 'field'),
        ).toBe(true)
      }
    }
  })

  it('keeps settings in a custom metadata type whose Default record sets only its fields', () => {
    const settings = objects.get('Concord_Setting__mdt')
    const record = read(join(DEFAULT, 'customMetadata', 'Concord_Setting.Default.md-meta.xml'))
    const set = tags(record, 'field')
    expect(set.sort()).toEqual([...(settings?.fields.keys() ?? [])].sort())
    expect(set).toContain('Amendments_Paused__c')
  })

  it('shows the amend action on the Account page only to users with the custom permission', () => {
    const page = read(join(DEFAULT, 'flexipages', 'Concord_Account_Record_Page.flexipage-meta.xml'))
    expect(page).toContain(
      '<name>enableActionsConfiguration</name>\n                    <value>true</value>',
    )
    const amend = tags(page, 'valueListItems').find(
      (item) => tag(item, 'value') === 'Account.Amend_Subscription',
    )
    const permission = /\{!\$Permission\.CustomPermission\.(\w+)\}/.exec(amend ?? '')?.[1]
    expect(permission).toBe('Concord_Amend_Subscriptions')
    expect(
      existsSync(join(DEFAULT, 'customPermissions', `${permission}.customPermission-meta.xml`)),
    ).toBe(true)
    expect(tags(page, 'valueListItems').map((item) => tag(item, 'value'))).toContain('Edit')
  })

  it.each([
    [
      'credit and refund',
      'Invoice',
      'Billing_Invoice__c',
      'concordMoneyRequest',
      'Concord_Request_Credits',
    ],
    [
      'activation',
      'Subscription',
      'Billing_Subscription__c',
      'concordActivateSubscription',
      'Concord_Activate_Subscriptions',
    ],
  ])(
    'shows the %s component on the %s page only to users with its custom permission, which operators hold',
    (_what, page_, object, bundle, expected) => {
      const page = read(
        join(DEFAULT, 'flexipages', `Concord_${page_}_Record_Page.flexipage-meta.xml`),
      )
      expect(tag(page, 'sobjectType')).toBe(object)
      const placed = tags(page, 'componentInstance').find(
        (c) => tag(c, 'componentName') === `c:${bundle}`,
      )
      const permission = /\{!\$Permission\.CustomPermission\.(\w+)\}/.exec(placed ?? '')?.[1]
      expect(permission).toBe(expected)
      const holders = [
        'Concord_Integration',
        'Concord_Operations',
        'Concord_Relay',
        'Concord_Sales',
        'Concord_Viewer',
      ].filter((name) =>
        read(join(DEFAULT, 'permissionsets', `${name}.permissionset-meta.xml`)).includes(
          `<name>${permission}</name>`,
        ),
      )
      expect(holders).toEqual(['Concord_Operations'])
      expect(read(join(DEFAULT, 'lwc', bundle, `${bundle}.js`))).toContain(
        `@salesforce/customPermission/${permission}`,
      )
    },
  )
})
