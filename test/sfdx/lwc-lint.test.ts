import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ROOT } from './project.ts'

interface LintMessage {
  ruleId: string | null
}
interface Linter {
  lintText(code: string, options: { filePath: string }): Promise<Array<{ messages: LintMessage[] }>>
}

/** ESLint 9 as the LWC lint runs it (tools/lwc-lint): its own copy, its own config. */
const LINT = join(ROOT, 'tools', 'lwc-lint')
const { ESLint } = (await import(
  pathToFileURL(join(LINT, 'node_modules', 'eslint', 'lib', 'api.js')).href
)) as { ESLint: new (options: { cwd: string; overrideConfigFile: string }) => Linter }
const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: join(LINT, 'lwc.eslint.config.js') })

const rules = async (code: string, path: string) =>
  (await eslint.lintText(code, { filePath: join(ROOT, path) })).flatMap((r) =>
    r.messages.map((m) => m.ruleId),
  )

const COMPONENT = `import { LightningElement } from 'lwc'
export default class Widget extends LightningElement {
  renderedCallback() {
    this.template.querySelector('div').innerHTML = '<b>x</b>'
  }
}
`

describe('the LWC lint (npm run lint:lwc)', () => {
  it('holds a component to the Salesforce LWC rules (so the lint can fail)', async () => {
    expect(await rules(COMPONENT, 'sfdx/main/default/lwc/widget/widget.js')).toContain(
      '@lwc/lwc/no-inner-html',
    )
  })

  it('lets a jest test drive a wire adapter with emit(), and only a test', async () => {
    const code = `import { getRecord } from 'lightning/uiRecordApi'\ngetRecord.emit({})\n`
    expect(await rules(code, 'sfdx/main/default/lwc/widget/__tests__/widget.test.js')).toEqual([])
    expect(await rules(code, 'sfdx/main/default/lwc/widget/widget.js')).toContain(
      '@lwc/lwc/no-unexpected-wire-adapter-usages',
    )
  })
})
