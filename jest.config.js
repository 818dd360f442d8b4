// LWC unit tests (sfdx-lwc-jest): no org needed.
import { jestConfig } from '@salesforce/sfdx-lwc-jest/config.js'

export default {
  ...jestConfig,
  roots: ['<rootDir>/lwc'],
  modulePathIgnorePatterns: ['<rootDir>/.localdevserver'],
}
