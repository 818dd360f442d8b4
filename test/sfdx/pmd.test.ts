import { describe, expect, it } from 'vitest'
import { CodeAnalyzer, CodeAnalyzerConfig } from '@salesforce/code-analyzer-core'
import { createEnginePlugin } from '@salesforce/code-analyzer-pmd-engine'
import { SFDX, filesUnder, read, rel } from './project.ts'

/** PMD's Apex rules in these categories must find nothing (Salesforce Code Analyzer, locally). */
const SELECTOR = 'pmd:Apex:(Security,BestPractices)'

async function violations(): Promise<{ rules: number; found: string[] }> {
  const analyzer = new CodeAnalyzer(CodeAnalyzerConfig.withDefaults())
  await analyzer.addEnginePlugin(createEnginePlugin())
  const workspace = await analyzer.createWorkspace([SFDX])
  const rules = await analyzer.selectRules([SELECTOR], { workspace })
  const results = await analyzer.run(rules, { workspace })
  const found = results.getViolations().map((v) => {
    const at = v.getPrimaryLocation()
    return `${rel(at.getFile() ?? '')}:${at.getStartLine() ?? '?'} ${v.getRule().getName()}: ${v.getMessage()}`
  })
  return { rules: rules.getCount(), found }
}

describe('Apex against PMD (security and best practices)', () => {
  it('finds no violation', { timeout: 180_000 }, async () => {
    const { rules, found } = await violations()
    expect(rules).toBeGreaterThan(25)
    expect(found).toEqual([])
  })

  it('justifies every suppression where it is made', () => {
    const apex = filesUnder(SFDX, (n) => n.endsWith('.cls') || n.endsWith('.trigger'))
    for (const file of apex) {
      const lines = read(file).split('\n')
      lines.forEach((line, i) => {
        if (!/@SuppressWarnings\(\s*'PMD\./i.test(line)) return
        const said = `${lines[i - 1] ?? ''} ${line}`
        expect(/\/\/\s*\S.{10,}|\/\*\s*\S.{10,}/.test(said), `${rel(file)}:${i + 1}`).toBe(true)
      })
    }
  })
})
