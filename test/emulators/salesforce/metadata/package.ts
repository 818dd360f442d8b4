import { createHash } from 'node:crypto'

/**
 * The folders of a Metadata API zip and the type each holds (Metadata API Developer Guide,
 * "Metadata Types"); the types the Concord package uses and a few neighbours.
 */
export const FOLDERS: Record<string, string> = {
  applications: 'CustomApplication',
  classes: 'ApexClass',
  customMetadata: 'CustomMetadata',
  customPermissions: 'CustomPermission',
  externalCredentials: 'ExternalCredential',
  flexipages: 'FlexiPage',
  layouts: 'Layout',
  lwc: 'LightningComponentBundle',
  namedCredentials: 'NamedCredential',
  objects: 'CustomObject',
  permissionsetgroups: 'PermissionSetGroup',
  permissionsets: 'PermissionSet',
  PlatformEventSubscriberConfigs: 'PlatformEventSubscriberConfig',
  quickActions: 'QuickAction',
  reportTypes: 'ReportType',
  staticresources: 'StaticResource',
  tabs: 'CustomTab',
  triggers: 'ApexTrigger',
  externalClientApps: 'ExternalClientApplication',
  extlClntAppOauthSettings: 'ExtlClntAppOauthSettings',
  extlClntAppOauthPolicies: 'ExtlClntAppOauthConfigurablePolicies',
}

/** One component of the zip: its type, name, files (path → content) and their checksum. */
export interface ZipComponent {
  type: string
  fullName: string
  fileName: string
  files: Map<string, Buffer>
  checksum: string
}

/** What package.xml names: type → members. */
export type Manifest = Map<string, string[]>

const tag = (xml: string, name: string): string[] =>
  [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1] ?? '')

/** Parses package.xml; undefined when it is not a `<Package>` with at least one `<types>`. */
export function parseManifest(xml: string): Manifest | undefined {
  if (!/<Package[\s>]/.test(xml)) return undefined
  const manifest: Manifest = new Map()
  for (const block of tag(xml, 'types')) {
    const name = tag(block, 'name')[0]?.trim()
    if (!name) return undefined
    manifest.set(name, [
      ...(manifest.get(name) ?? []),
      ...tag(block, 'members').map((m) => m.trim()),
    ])
  }
  return manifest.size > 0 ? manifest : undefined
}

/**
 * Groups the zip's files into components: `<folder>/<name>.<suffix>` with its `-meta.xml`, or a
 * bundle folder (`lwc/<name>/…`). Files in an unknown folder are returned as strays.
 */
export function groupComponents(files: Map<string, Buffer>, root: string) {
  const components = new Map<string, ZipComponent>()
  const strays: string[] = []
  for (const [path, content] of files) {
    if (!path.startsWith(root)) continue
    const rel = path.slice(root.length)
    if (rel === 'package.xml' || /^destructiveChanges(Pre|Post)?\.xml$/.test(rel)) continue
    const [folder, ...rest] = rel.split('/')
    const type = folder ? FOLDERS[folder] : undefined
    if (!type || rest.length === 0) {
      strays.push(rel)
      continue
    }
    const bundle = rest.length > 1
    const fullName = bundle
      ? (rest[0] ?? '')
      : (rest[0] ?? '').replace(/-meta\.xml$/, '').replace(/\.[^.]+$/, '')
    const key = `${type}:${fullName}`
    const c = components.get(key) ?? {
      type,
      fullName,
      fileName: bundle
        ? `${folder}/${fullName}`
        : `${folder}/${(rest[0] ?? '').replace(/-meta\.xml$/, '')}`,
      files: new Map<string, Buffer>(),
      checksum: '',
    }
    c.files.set(rel, content)
    components.set(key, c)
  }
  for (const c of components.values()) {
    const hash = createHash('sha256')
    for (const name of [...c.files.keys()].sort())
      hash
        .update(name)
        .update('\0')
        .update(c.files.get(name) ?? '')
    c.checksum = hash.digest('hex')
  }
  return { components: [...components.values()], strays }
}

/** The custom fields an object file declares (`<fields><fullName>`). */
export function declaredFields(objectXml: string): string[] {
  return tag(objectXml, 'fields').flatMap((f) =>
    tag(f, 'fullName')
      .slice(0, 1)
      .map((s) => s.trim()),
  )
}

/** The `Object.Field` references of a permission set's field permissions. */
export function fieldPermissionRefs(xml: string): string[] {
  return tag(xml, 'fieldPermissions').flatMap((b) => tag(b, 'field').map((s) => s.trim()))
}

/** The custom permissions a permission set enables. */
export function enabledCustomPermissions(xml: string): string[] {
  return tag(xml, 'customPermissions')
    .filter((b) => tag(b, 'enabled')[0]?.trim() === 'true')
    .flatMap((b) => tag(b, 'name').map((s) => s.trim()))
}

/** The fields a custom metadata record sets (`<values><field>`). */
export function metadataValueFields(xml: string): string[] {
  return tag(xml, 'values').flatMap((b) => tag(b, 'field').map((s) => s.trim()))
}

export const labelOf = (xml: string): string | undefined => tag(xml, 'label')[0]?.trim()
