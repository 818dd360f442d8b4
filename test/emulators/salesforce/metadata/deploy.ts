import type { Org } from '../org.ts'
import { Tx } from '../store.ts'
import {
  declaredFields,
  enabledCustomPermissions,
  FOLDERS,
  fieldPermissionRefs,
  groupComponents,
  labelOf,
  metadataValueFields,
  parseManifest,
  type ZipComponent,
} from './package.ts'
import { applySubscriberConfig, applyTrigger, subscriberConfigProblem } from './triggers.ts'
import { BadZip, readZip } from './zip.ts'

/** A `DeployMessage` of the Metadata API: one component's outcome. */
export interface DeployMessage {
  changed: boolean
  created: boolean
  deleted: boolean
  componentType: string
  fileName: string
  fullName: string
  success: boolean
  createdDate: string
  problem?: string
  problemType?: 'Error'
}

/** A deploy as `checkDeployStatus` reports it (`DeployResult`). */
export interface DeployJob {
  id: string
  createdDate: string
  completedDate: string
  checkOnly: boolean
  rollbackOnError: boolean
  status: 'Succeeded' | 'Failed'
  success: boolean
  errorMessage?: string
  errorStatusCode?: string
  successes: DeployMessage[]
  failures: DeployMessage[]
}

export interface DeployOptions {
  checkOnly: boolean
  rollbackOnError: boolean
  singlePackage: boolean
}

interface Review {
  failures: DeployMessage[]
  successes: DeployMessage[]
  components: ZipComponent[]
}

const text = (c: ZipComponent) =>
  [...c.files.entries()]
    .find(([n]) => n.endsWith('-meta.xml') || !n.includes('.'))?.[1]
    ?.toString('utf8') ??
  [...c.files.values()][0]?.toString('utf8') ??
  ''

/**
 * The org's Metadata API deploys, kept honest and small: the zip is opened and package.xml read,
 * each component checked against what a real org refuses here (a member named in package.xml but
 * missing from the zip, a field permission or custom metadata value naming a field that neither
 * the zip nor the org has), and deployed components are remembered by checksum so a second
 * deploy of the same source reports them `changed: false`. A deployed permission set or custom
 * permission becomes a record the REST API and SOQL see. Apex is neither compiled nor run.
 */
export class MetadataDeploys {
  private readonly org: Org
  private readonly checksums = new Map<string, string>()
  private readonly files = new Map<string, Map<string, Buffer>>()
  private readonly objectFields = new Map<string, Set<string>>()
  private readonly jobs = new Map<string, DeployJob>()

  constructor(org: Org) {
    this.org = org
  }

  reset(): void {
    this.checksums.clear()
    this.files.clear()
    this.objectFields.clear()
    this.jobs.clear()
  }

  get(id: string): DeployJob | undefined {
    return this.jobs.get(id)
  }

  /** The files of a deployed component (for tests: what the org now holds). */
  deployed(type: string, fullName: string): Map<string, Buffer> | undefined {
    return this.files.get(`${type}:${fullName}`)
  }

  /** Runs a deploy to completion (the caller polls for it as for a real one). */
  start(zipBase64: string, options: DeployOptions, userId: string): DeployJob {
    const now = new Date(this.org.clock.now()).toISOString()
    const job: DeployJob = {
      id: this.org.ids.next('0Af'),
      createdDate: now,
      completedDate: now,
      checkOnly: options.checkOnly,
      rollbackOnError: options.rollbackOnError,
      status: 'Failed',
      success: false,
      successes: [],
      failures: [],
    }
    this.jobs.set(job.id, job)
    let files: Map<string, Buffer>
    try {
      files = readZip(Buffer.from(zipBase64, 'base64'))
    } catch (err) {
      if (!(err instanceof BadZip)) throw err
      return Object.assign(job, {
        errorStatusCode: 'UNKNOWN_EXCEPTION',
        errorMessage: `The zip file could not be read: ${err.message}.`,
      })
    }
    const review = this.review(files, options, now)
    if ('error' in review) return Object.assign(job, review.error)
    job.successes = review.successes
    job.failures = review.failures
    if (review.failures.length > 0 && options.rollbackOnError) {
      job.successes = job.successes.map((m) => ({ ...m, changed: false, created: false }))
      return job
    }
    job.status = 'Succeeded'
    job.success = true
    if (!options.checkOnly) this.apply(review.components, userId)
    return job
  }

  private review(
    files: Map<string, Buffer>,
    options: DeployOptions,
    now: string,
  ): Review | { error: Partial<DeployJob> } {
    const manifestPath = [...files.keys()]
      .filter(
        (p) => p === 'package.xml' || (!options.singlePackage && /^[^/]+\/package\.xml$/.test(p)),
      )
      .sort((a, b) => a.length - b.length)[0]
    const manifest = manifestPath
      ? parseManifest(files.get(manifestPath)?.toString('utf8') ?? '')
      : undefined
    if (!manifestPath || !manifest)
      return {
        error: {
          errorStatusCode: 'UNKNOWN_EXCEPTION',
          errorMessage: manifestPath
            ? 'package.xml is not a valid Package manifest.'
            : 'No package.xml found in the zip file.',
        },
      }
    const root = manifestPath.slice(0, -'package.xml'.length)
    const { components } = groupComponents(files, root)
    const failures: DeployMessage[] = []
    const message = (c: Pick<ZipComponent, 'type' | 'fullName' | 'fileName'>, problem?: string) => {
      const key = `${c.type}:${c.fullName}`
      const created = !this.checksums.has(key)
      const m: DeployMessage = {
        changed: created || this.checksums.get(key) !== (c as ZipComponent).checksum,
        created,
        deleted: false,
        componentType: c.type,
        fileName: c.fileName,
        fullName: c.fullName,
        success: problem === undefined,
        createdDate: now,
      }
      return problem === undefined
        ? m
        : { ...m, changed: false, created: false, problem, problemType: 'Error' as const }
    }
    for (const [type, members] of manifest)
      for (const member of members) {
        if (member === '*' || type === 'CustomField') continue
        if (
          !components.some((c) => c.type === type && c.fullName === member) &&
          typeInZipFolders(type)
        )
          failures.push(
            message(
              { type, fullName: member, fileName: `${root}package.xml` },
              `An object '${member}' of type ${type} was named in package.xml, but was not found in zipped directory`,
            ),
          )
      }
    const known = this.knownFields(components)
    const triggers = components.filter((c) => c.type === 'ApexTrigger').map((c) => c.fullName)
    const problems = new Map<string, string>()
    for (const c of components) {
      const problem =
        c.type === 'PlatformEventSubscriberConfig'
          ? subscriberConfigProblem(this.org, text(c), triggers)
          : this.problemOf(c, known)
      if (problem) problems.set(`${c.type}:${c.fullName}`, problem)
    }
    const successes: DeployMessage[] = []
    for (const c of components) {
      const problem = problems.get(`${c.type}:${c.fullName}`)
      if (problem) failures.push(message(c, problem))
      else successes.push(message(c))
    }
    successes.push({
      ...message({ type: '', fullName: 'package.xml', fileName: `${root}package.xml` }),
      changed: true,
      created: false,
    })
    return {
      failures,
      successes,
      components: components.filter((c) => !problems.has(`${c.type}:${c.fullName}`)),
    }
  }

  /** Object (lowercase) → its fields (lowercase): the org's catalog, earlier deploys, this zip. */
  private knownFields(components: ZipComponent[]): Map<string, Set<string>> {
    const known = new Map<string, Set<string>>()
    const add = (object: string, field: string) => {
      const key = object.toLowerCase()
      known.set(key, (known.get(key) ?? new Set()).add(field.toLowerCase()))
    }
    for (const [object, fields] of this.objectFields) for (const f of fields) add(object, f)
    for (const c of components)
      if (c.type === 'CustomObject') for (const f of declaredFields(text(c))) add(c.fullName, f)
    return known
  }

  private hasField(known: Map<string, Set<string>>, object: string, field: string): boolean {
    if (known.get(object.toLowerCase())?.has(field.toLowerCase())) return true
    return this.org.catalog.get(object)?.fields.has(field.toLowerCase()) ?? false
  }

  private problemOf(c: ZipComponent, known: Map<string, Set<string>>): string | undefined {
    if (c.type === 'PermissionSet')
      for (const ref of fieldPermissionRefs(text(c))) {
        const [object = '', field = ''] = ref.split('.')
        if (!this.hasField(known, object, field))
          return `In field: field - no CustomField named ${ref} found`
      }
    if (c.type === 'CustomMetadata') {
      const object = `${c.fullName.split('.')[0] ?? ''}__mdt`
      for (const field of metadataValueFields(text(c)))
        if (!this.hasField(known, object, field))
          return `In field: field - no CustomField named ${object}.${field} found`
    }
    return undefined
  }

  private apply(components: ZipComponent[], userId: string): void {
    const tx = new Tx()
    for (const c of components) {
      this.checksums.set(`${c.type}:${c.fullName}`, c.checksum)
      this.files.set(`${c.type}:${c.fullName}`, c.files)
      if (c.type === 'CustomObject')
        this.objectFields.set(
          c.fullName,
          new Set(declaredFields(text(c)).map((f) => f.toLowerCase())),
        )
      if (c.type === 'CustomPermission')
        this.ensure(
          tx,
          'CustomPermission',
          { DeveloperName: c.fullName },
          { MasterLabel: labelOf(text(c)) ?? c.fullName },
          userId,
        )
    }
    for (const c of components) if (c.type === 'ApexTrigger') applyTrigger(this.org, tx, c, userId)
    for (const c of components)
      if (c.type === 'PlatformEventSubscriberConfig')
        applySubscriberConfig(this.org, tx, c, text(c), userId)
    for (const c of components) {
      if (c.type !== 'PermissionSet') continue
      const set = this.ensure(
        tx,
        'PermissionSet',
        { Name: c.fullName },
        { Label: labelOf(text(c)) ?? c.fullName, Type: 'Regular' },
        userId,
      )
      for (const name of enabledCustomPermissions(text(c))) {
        const permission = this.find('CustomPermission', { DeveloperName: name })
        if (permission)
          this.ensure(
            tx,
            'SetupEntityAccess',
            { ParentId: set, SetupEntityId: permission },
            { SetupEntityType: 'CustomPermission' },
            userId,
          )
      }
    }
    this.org.commit(tx)
  }

  private find(object: string, match: Record<string, string>): string | undefined {
    return [...this.org.store.table(object).values()].find((r) =>
      Object.entries(match).every(([k, v]) => r.values[k] === v),
    )?.Id
  }

  /** The id of the record matching `match`, inserted with `extra` when there is none. */
  private ensure(
    tx: Tx,
    object: string,
    match: Record<string, string>,
    extra: Record<string, unknown>,
    userId: string,
  ): string {
    const found = this.find(object, match)
    if (found) return found
    const describe = this.org.catalog.get(object)
    if (!describe) throw new Error(`no ${object} in the catalog`)
    return this.org.store.insert(tx, describe, { ...match, ...extra }, userId).Id
  }
}

/** Types that are files of their own in the zip (child types like CustomField live in their parent's). */
function typeInZipFolders(type: string): boolean {
  return Object.values(FOLDERS).includes(type)
}
