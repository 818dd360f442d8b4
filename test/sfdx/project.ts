/**
 * Paths and small readers shared by the Salesforce checks that need no org.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const SFDX = join(ROOT, 'sfdx')
export const DEFAULT = join(SFDX, 'main', 'default')
/** The Lightning web components, inside the package directory so the package ships them. */
export const LWC = join(DEFAULT, 'lwc')

/** Every file under `dir` whose name passes `keep`, skipping jest folders. */
export function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const found: string[] = []
  for (const entry of readdirSync(dir)) {
    if (entry === '__tests__' || entry === 'node_modules') continue
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) found.push(...filesUnder(path, keep))
    else if (keep(entry)) found.push(path)
  }
  return found.sort()
}

export const read = (path: string): string => readFileSync(path, 'utf8')
export const rel = (path: string): string => relative(ROOT, path)

/** Text of the first `<tag>` element in a metadata XML string, or undefined. */
export function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1]?.trim()
}

/** Texts of every `<tag>` element in a metadata XML string. */
export function tags(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) =>
    (m[1] ?? '').trim(),
  )
}

export function sourceApiVersion(): string {
  const project = JSON.parse(read(join(ROOT, 'sfdx-project.json'))) as { sourceApiVersion: string }
  return project.sourceApiVersion
}
