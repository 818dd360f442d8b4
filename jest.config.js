// LWC unit tests (sfdx-lwc-jest): no org needed.
import { jestConfig } from '@salesforce/sfdx-lwc-jest/config.js'

export default {
  ...jestConfig,
  roots: ['<rootDir>/lwc'],
  // Tests are *.test.js under __tests__; lwc/__tests__/utils and mocks hold helpers, not tests.
  testMatch: ['<rootDir>/lwc/**/__tests__/**/*.test.js'],
  // sfdx-lwc-jest looks for `<packageDir>/**/lwc/<name>`; our bundles sit directly in lwc/.
  moduleNameMapper: {
    '^c/(.+)$': '<rootDir>/lwc/$1/$1',
    '^lightning/actions$': '<rootDir>/lwc/__tests__/mocks/lightningActions.js',
  },
  modulePathIgnorePatterns: ['<rootDir>/.localdevserver'],
}
