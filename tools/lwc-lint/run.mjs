// Lints the Lightning web components with ESLint 9 and the Salesforce LWC config (lwc.eslint.config.js
// beside this file), from the repository root. Exits 1 on any error or warning.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const eslint = new ESLint({ cwd: root, overrideConfigFile: join(here, 'lwc.eslint.config.js') })
const results = await eslint.lintFiles(['sfdx/main/default/lwc/**/*.js'])
const formatter = await eslint.loadFormatter('stylish')
const report = await formatter.format(results)
if (report) console.log(report)
const problems = results.reduce((n, r) => n + r.errorCount + r.warningCount, 0)
console.log(
  `LWC lint (ESLint ${ESLint.version}, @salesforce/eslint-config-lwc recommended): ${results.length} files, ${problems} problems`,
)
if (problems > 0 || results.length === 0) process.exitCode = 1
