import { readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { sourceFiles } from './structure.ts'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')

/** Test code: every test file, and the helpers of the suites that run the worker. */
const TEST_CODE = sourceFiles(join(ROOT, 'test'))
  .map((f) => relative(ROOT, f))
  .filter((f) => f.endsWith('.test.ts') || /^test\/(worker|chaos|e2e)\//.test(f))
  .filter((f) => f !== 'test/node/waiting.test.ts')

/** A sleep: a promise that resolves after a fixed time, whatever it waits for. */
const SLEEP = /new Promise\s*\(\s*\(?\s*\w+\s*\)?\s*=>\s*setTimeout\s*\(/

describe('how tests wait', () => {
  it('finds the test code it checks', () => {
    expect(TEST_CODE).toContain('test/worker/support/helpers.ts')
    expect(TEST_CODE.length).toBeGreaterThan(50)
  })

  it('waits on a condition through test/support/poll.ts, never with a fixed sleep', () => {
    const sleeping = TEST_CODE.filter((f) => SLEEP.test(readFileSync(join(ROOT, f), 'utf8')))
    expect(sleeping).toEqual([])
  })

  it('recognises a fixed sleep', () => {
    expect(SLEEP.test('await new Promise((r) => setTimeout(r, 50))')).toBe(true)
    expect(SLEEP.test('await new Promise((resolve) => setTimeout(resolve, 2))')).toBe(true)
    expect(SLEEP.test("await until('held', () => held())")).toBe(false)
  })
})
