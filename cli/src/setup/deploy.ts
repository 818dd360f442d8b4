import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Connection } from '@salesforce/core'
import { ComponentSet, ComponentStatus } from '@salesforce/source-deploy-retrieve'
import { failure, messageOf } from '../lib/failure.ts'
import { step, type StepResult } from './step.ts'

/** What setup deploys: the package, its Lightning components included, as sfdx/README.md's step 1. */
export const PACKAGE_DIRS = ['sfdx/main']
const SETTINGS = 'main/default/customMetadata/Concord_Setting.Default.md-meta.xml'
const NAMED_CREDENTIAL = 'main/default/namedCredentials/Concord_Worker.namedCredential-meta.xml'

export const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/**
 * A copy of the package with this installation's worker URL in the settings record
 * (`Concord_Setting.Default.Worker_Url__c`) and the `Concord_Worker` named credential, so the
 * values arrive with the deploy and a redeploy with the same URL changes nothing.
 * @throws SfError when the project has no sfdx/main (setup runs from the Concord checkout).
 */
export function stagePackage(projectDir: string, workerUrl: string): string {
  const main = join(projectDir, 'sfdx/main')
  if (!existsSync(main))
    throw failure({
      doing: 'Reading the Salesforce package',
      said: `${main} does not exist`,
      next: ['Run setup from the Concord checkout, or pass --project-dir <its path>.'],
      code: 'PackageNotFound',
    })
  const dir = mkdtempSync(join(tmpdir(), 'concord-setup-'))
  // The components' jest tests and mocks stay behind, as .forceignore has it.
  cpSync(main, join(dir, 'main'), { recursive: true, filter: (src) => !src.includes('__tests__') })
  const url = xmlEscape(workerUrl)
  const settings = join(dir, SETTINGS)
  writeFileSync(
    settings,
    readFileSync(settings, 'utf8').replace(
      /(<field>Worker_Url__c<\/field>\s*)<value[^>]*?(\/>|>[^<]*<\/value>)/,
      `$1<value xsi:type="xsd:string">${url}</value>`,
    ),
  )
  const credential = join(dir, NAMED_CREDENTIAL)
  writeFileSync(
    credential,
    readFileSync(credential, 'utf8').replace(
      /(<parameterName>Url<\/parameterName>\s*<parameterType>Url<\/parameterType>\s*<parameterValue>)[^<]*/,
      `$1${url}`,
    ),
  )
  return dir
}

/** What a deploy is for, as its step and its errors name it. */
export interface DeployJob {
  step: string
  doing: string
  /** What to do when the org refuses a component. */
  next: string
}

/**
 * Deploys a source folder with source-deploy-retrieve (Metadata API deploy, then status
 * polling), and says whether anything changed: `unchanged` when the org reports every component
 * as it already was. A failure lists the org's component errors.
 * @throws SfError naming the components the org refused and why.
 */
export async function deploySource(
  conn: Connection,
  sourceDir: string,
  job: DeployJob,
  onProgress: (status: string) => void,
): Promise<StepResult> {
  try {
    const set = ComponentSet.fromSource([sourceDir])
    const op = await set.deploy({ usernameOrConnection: conn })
    op.onUpdate((r) =>
      onProgress(`${r.status} ${r.numberComponentsDeployed}/${r.numberComponentsTotal}`),
    )
    // Frequency in ms, timeout in seconds (SDR's numeric form).
    const result = await op.pollStatus(500, 1800)
    const files = result.getFileResponses()
    const failed = files.filter((f) => f.state === ComponentStatus.Failed)
    if (!result.response.success || failed.length > 0) {
      const problems = failed
        .slice(0, 5)
        .map((f) => `${f.type} ${f.fullName}: ${'error' in f ? f.error : 'failed'}`)
      throw failure({
        doing: job.doing,
        said: `the org refused it (${result.response.status}${result.response.errorMessage ? `: ${result.response.errorMessage}` : ''})${problems.length ? `: ${problems.join('; ')}` : ''}`,
        next: [job.next],
        code: 'DeployFailed',
      })
    }
    const by = (s: ComponentStatus) => files.filter((f) => f.state === s).length
    const created = by(ComponentStatus.Created)
    const changed = by(ComponentStatus.Changed)
    const detail = `${files.length} component(s): ${created} created, ${changed} changed, ${by(ComponentStatus.Unchanged)} unchanged (deploy ${result.response.id})`
    if (created === 0 && changed === 0) return step(job.step, 'unchanged', detail)
    return step(job.step, changed === 0 ? 'created' : 'updated', detail)
  } catch (err) {
    if (err instanceof Error && err.name === 'DeployFailed') throw err
    throw failure({
      doing: job.doing,
      said: messageOf(err),
      next: ['Check the org login (sf org display --target-org <alias>), then run setup again.'],
      code: 'DeployFailed',
    })
  }
}

/**
 * Deploys the package staged with this installation's worker URL (`stagePackage`).
 * @throws SfError naming the components the org refused and why.
 */
export async function deployPackage(
  conn: Connection,
  projectDir: string,
  workerUrl: string,
  onProgress: (status: string) => void,
): Promise<StepResult> {
  const dir = stagePackage(projectDir, workerUrl)
  try {
    return await deploySource(
      conn,
      join(dir, 'main'),
      {
        step: 'deploy package',
        doing: 'Deploying the Concord package',
        next: 'Fix what the org names (sfdx/README.md "Deploy" lists the prerequisites: the relay user, My Domain), then run setup again: it resumes.',
      },
      onProgress,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
