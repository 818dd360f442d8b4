// The Salesforce LWC config over the Lightning web components (sfdx/main/default/lwc), run by
// run.mjs with ESLint 9 from this folder. Paths are relative to the repository root.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const lwcConfig = require('@salesforce/eslint-config-lwc')

export default [
  ...lwcConfig.configs.recommended,
  {
    // Jest tests and their helpers run in Node under jest (sfdx-lwc-jest), not on the platform:
    // require() loads their JSON fixtures, and a test drives a wire adapter by calling its test
    // double's emit()/error() (the sfdx-lwc-jest way), which the wire-usage rule would refuse. The
    // components themselves are held to every rule.
    files: ['sfdx/main/default/lwc/**/__tests__/**/*.js'],
    languageOptions: { globals: { require: 'readonly' } },
    rules: { '@lwc/lwc/no-unexpected-wire-adapter-usages': 'off' },
  },
]
