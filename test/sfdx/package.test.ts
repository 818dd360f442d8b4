import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ComponentSet, MetadataConverter } from '@salesforce/source-deploy-retrieve'
import { DEFAULT, ROOT, SFDX, filesUnder, read, sourceApiVersion, tag, tags } from './project.ts'

const EXPECTED_COUNTS: Record<string, number> = {
  ApexClass: 26,
  ApexTrigger: 6,
  CompactLayout: 5,
  CustomApplication: 1,
  CustomField: 113,
  CustomMetadata: 1,
  CustomObject: 9,
  CustomPermission: 3,
  CustomTab: 6,
  ExternalClientApplication: 1,
  ExtlClntAppOauthConfigurablePolicies: 1,
  ExtlClntAppOauthSettings: 1,
  ExternalCredential: 1,
  FlexiPage: 4,
  Layout: 5,
  LightningComponentBundle: 8,
  ListView: 11,
  NamedCredential: 1,
  PermissionSet: 5,
  PermissionSetGroup: 1,
  PlatformEventSubscriberConfig: 1,
  QuickAction: 1,
  ReportType: 2,
  StaticResource: 1,
}

const BUNDLES = [
  'amendSubscription',
  'amendmentTimeline',
  'concordActivateSubscription',
  'concordErrors',
  'concordMoneyRequest',
  'concordRefresh',
  'concordSetup',
  'financialStanding',
]

interface PackageDirectory {
  path: string
  default?: boolean
  package?: string
  versionName?: string
  versionNumber?: string
}
const project = JSON.parse(read(join(ROOT, 'sfdx-project.json'))) as {
  packageDirectories: PackageDirectory[]
  packageAliases?: Record<string, string>
}
const directories = project.packageDirectories.map((d) => join(ROOT, d.path))

describe("the project's package directories", () => {
  let components: ComponentSet
  let out: string
  let packageXml: string

  beforeAll(async () => {
    components = ComponentSet.fromSource(directories)
    components.sourceApiVersion = sourceApiVersion()
    out = mkdtempSync(join(tmpdir(), 'concord-mdapi-'))
    await new MetadataConverter().convert(components, 'metadata', {
      type: 'directory',
      outputDirectory: out,
      genUniqueDir: false,
    })
    packageXml = read(join(out, 'package.xml'))
  })

  afterAll(() => rmSync(out, { recursive: true, force: true }))

  it('resolve to the expected metadata components', () => {
    const counts: Record<string, number> = {}
    for (const component of components.getSourceComponents()) {
      counts[component.type.name] = (counts[component.type.name] ?? 0) + 1
      for (const child of component.getChildren())
        counts[child.type.name] = (counts[child.type.name] ?? 0) + 1
    }
    expect(counts).toEqual(EXPECTED_COUNTS)
  })

  it('convert to a metadata package whose package.xml lists them', async () => {
    expect(tag(packageXml, 'version')).toBe(sourceApiVersion())
    const types = Object.fromEntries(
      [...packageXml.matchAll(/<types>([\s\S]*?)<\/types>/g)].map((m) => [
        tag(m[1] ?? '', 'name'),
        tags(m[1] ?? '', 'members'),
      ]),
    )
    expect(types.LightningComponentBundle).toEqual(BUNDLES)
    expect(types.ApexTrigger).toEqual([
      'BillingInvoiceStaleGuard',
      'BillingPaymentStaleGuard',
      'BillingSubscriptionStaleGuard',
      'ConcordAccountChanges',
      'SubscriptionAmendmentRelay',
      'SubscriptionSyncStaleGuard',
    ])
    expect(types.CustomObject).toEqual(
      expect.arrayContaining([
        'Billing_Credit_Note__c',
        'Billing_Invoice__c',
        'Billing_Payment__c',
        'Billing_Subscription__c',
        'Concord_Activation__e',
        'Concord_Refresh__e',
        'Subscription_Amendment__e',
        'Subscription_Sync__c',
      ]),
    )
    expect(types.CustomField).toEqual(
      expect.arrayContaining(['Account.Concord_Standing__c', 'Billing_Payment__c.Invoice__c']),
    )
    expect(types.PermissionSet).toEqual([
      'Concord_Integration',
      'Concord_Operations',
      'Concord_Relay',
      'Concord_Sales',
      'Concord_Viewer',
    ])
    expect(types.PlatformEventSubscriberConfig).toEqual(['SubscriptionAmendmentRelayConfig'])
    expect(types.PermissionSetGroup).toEqual(['Concord_Admin'])
    expect(types.CustomApplication).toEqual(['Concord'])
    expect(types.QuickAction).toEqual(['Account.Amend_Subscription'])
    expect(types.StaticResource).toEqual(['ConcordSignatureVectors'])
    // What `sf project deploy start` sends is built from the same set: jest folders must not be in it.
    expect(await components.getPackageXml()).not.toContain('__tests__')
  })

  it('leave jest tests and helpers out of the converted bundles', () => {
    expect(readdirSync(join(out, 'lwc')).sort()).toEqual(BUNDLES)
    for (const bundle of readdirSync(join(out, 'lwc'))) {
      expect(readdirSync(join(out, 'lwc', bundle))).not.toContain('__tests__')
    }
  })

  it('ship the signature test vectors byte for byte as the file the worker tests read', () => {
    const source = join(SFDX, 'main', 'default', 'staticresources', 'ConcordSignatureVectors.json')
    const shipped = join(out, 'staticresources', 'ConcordSignatureVectors.resource')
    expect(readFileSync(shipped).equals(readFileSync(source))).toBe(true)
    expect(read(`${shipped}-meta.xml`)).toContain('<contentType>application/json</contentType>')
  })

  it('write objects with their fields in metadata format', () => {
    const invoice = read(join(out, 'objects', 'Billing_Invoice__c.object'))
    expect(tags(invoice, 'fullName')).toContain('External_Id__c')
    expect(invoice).toContain('<sharingModel>ReadWrite</sharingModel>')
  })
})

describe('the Concord unlocked package (sfdx-project.json)', () => {
  const packaged = project.packageDirectories.filter((d) => d.package)
  const concord = packaged[0]

  it('defines one package, the default directory, with a version name and number', () => {
    expect(packaged).toHaveLength(1)
    expect(concord).toMatchObject({ path: 'sfdx/main', package: 'Concord', default: true })
    expect(concord?.versionName).toMatch(/\S/)
    // major.minor.patch.build, the build a number or NEXT (the CLI's keyword for the next one).
    expect(concord?.versionNumber).toMatch(/^\d+\.\d+\.\d+\.(NEXT|\d+)$/)
  })

  it('has a package alias shaped like the package id `sf package create` writes (0Ho)', () => {
    expect(Object.keys(project.packageAliases ?? {})).toContain('Concord')
    expect(project.packageAliases?.Concord).toMatch(/^0Ho[a-zA-Z0-9]{15}$/)
  })

  it('lists every folder of sfdx/ that holds metadata, and only existing ones', () => {
    for (const dir of directories) expect(existsSync(dir), dir).toBe(true)
    const holders = readdirSync(SFDX, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .filter((name) => filesUnder(join(SFDX, name), (f) => f.endsWith('-meta.xml')).length > 0)
    expect(holders.map((name) => `sfdx/${name}`).sort()).toEqual(
      project.packageDirectories.map((d) => d.path).sort(),
    )
  })

  it('holds the components its flexipages place and the Apex its components call', () => {
    const inPackage = ComponentSet.fromSource(join(ROOT, 'sfdx', 'main'))
    const names = (type: string) =>
      inPackage
        .getSourceComponents()
        .toArray()
        .filter((c) => c.type.name === type)
        .map((c) => c.fullName)
    const bundles = names('LightningComponentBundle')
    expect(bundles.sort()).toEqual(BUNDLES)
    const placed = filesUnder(join(DEFAULT, 'flexipages'), (f) => f.endsWith('.xml')).flatMap((f) =>
      tags(read(f), 'componentName').filter((n) => n.startsWith('c:')),
    )
    expect(placed.length).toBeGreaterThan(1)
    for (const name of placed) expect(bundles, name).toContain(name.slice(2))
    const classes = names('ApexClass')
    const called = filesUnder(join(DEFAULT, 'lwc'), (f) => f.endsWith('.js')).flatMap((f) =>
      [...read(f).matchAll(/@salesforce\/apex\/(\w+)\./g)].map((m) => m[1]),
    )
    expect(called.length).toBeGreaterThan(1)
    for (const name of called) expect(classes, name).toContain(name)
  })

  it('leaves org-specific metadata out: the relay user config and the External Client App', () => {
    const inPackage = ComponentSet.fromSource(join(ROOT, 'sfdx', 'main'))
    const types = new Set(
      inPackage
        .getSourceComponents()
        .toArray()
        .map((c) => c.type.name),
    )
    // The subscriber config names a user of the installing org; the ECA is deployed on its own.
    expect(types.has('PlatformEventSubscriberConfig')).toBe(false)
    expect(types.has('ExternalClientApplication')).toBe(false)
    const orgOnly = ComponentSet.fromSource(join(ROOT, 'sfdx', 'org'))
    expect(
      orgOnly
        .getSourceComponents()
        .toArray()
        .map((c) => `${c.type.name}:${c.fullName}`),
    ).toEqual(['PlatformEventSubscriberConfig:SubscriptionAmendmentRelayConfig'])
  })
})
