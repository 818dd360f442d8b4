import { join } from 'node:path'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import { estimateCoverage } from './coverage.ts'
import { SFDX, filesUnder, read } from './project.ts'

const CLASSES = filesUnder(SFDX, (n) => n.endsWith('.cls'))
const isTest = (path: string) =>
  /^\s*@IsTest\b/im.test(read(path).replace(/\/\*\*[\s\S]*?\*\//, ''))
const TESTS = CLASSES.filter(isTest)
const CODE = CLASSES.filter((path) => !isTest(path))
const TRIGGERS = filesUnder(SFDX, (n) => n.endsWith('.trigger'))

describe('Apex test coverage (static estimate)', () => {
  it('reaches at least 90 % of the lines in methods, and 75 % of every class', () => {
    const estimate = estimateCoverage(CODE, TESTS, TRIGGERS)
    console.log(
      [
        `Apex coverage estimate: ${estimate.percent} % (${estimate.covered} of ${estimate.total} lines in methods)`,
        ...estimate.perClass.map(
          (c) => `  ${c.className}: ${c.percent} % (${c.covered}/${c.total})`,
        ),
        estimate.unreached.length > 0 ? `  not reached: ${estimate.unreached.join(', ')}` : '',
      ].join('\n'),
    )
    expect(estimate.percent).toBeGreaterThanOrEqual(90)
    for (const c of estimate.perClass) expect(c.percent, c.className).toBeGreaterThanOrEqual(75)
  })

  it('counts a method no test reaches as uncovered', () => {
    const dir = mkdtempSync(join(tmpdir(), 'concord-apex-'))
    const code = join(dir, 'Widget.cls')
    const test = join(dir, 'Widget_Tests.cls')
    writeFileSync(
      code,
      [
        'public class Widget {',
        '  public static Integer used() {',
        '    return helper() + 1;',
        '  }',
        '  private static Integer helper() {',
        '    return 1;',
        '  }',
        '  public static Integer unused() {',
        '    Integer a = 1;',
        '    return a;',
        '  }',
        '}',
      ].join('\n'),
    )
    writeFileSync(
      test,
      '@IsTest\nprivate class Widget_Tests {\n  static void t() { Widget.used(); }\n}\n',
    )
    const estimate = estimateCoverage([code], [test])
    expect(estimate.unreached).toEqual(['Widget.unused'])
    expect(estimate.covered).toBe(6)
    expect(estimate.total).toBe(10)
  })
})
