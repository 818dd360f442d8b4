import { describe, expect, it } from 'vitest'
import { STALE_GUARDS } from '../../shared/salesforce-schema.ts'
import { SFDX, filesUnder, read } from './project.ts'

/** The guard the emulators apply (`STALE_GUARDS`) is the guard the package's triggers ship. */
describe('the stale guard triggers', () => {
  const guards = filesUnder(SFDX, (n) => n.endsWith('.trigger'))
    .map((path) => read(path))
    .filter((source) => source.includes('ConcordStaleGuard.keepNewer'))
    .map((source) => {
      const on = /trigger\s+\w+\s+on\s+(\w+)\s*\(\s*before update\s*\)/.exec(source)
      const field = /keepNewer\(\s*Trigger\.new,\s*Trigger\.oldMap,\s*(\w+)\.(\w+)\s*\)/.exec(
        source,
      )
      return { object: on?.[1], stampObject: field?.[1], stamp: field?.[2] }
    })

  it('guard exactly the objects and source-time fields STALE_GUARDS names, before update', () => {
    for (const g of guards) expect(g.stampObject).toBe(g.object)
    const shipped = Object.fromEntries(guards.map((g) => [g.object, g.stamp]))
    expect(shipped).toEqual(STALE_GUARDS)
  })
})
