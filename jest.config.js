// LWC unit tests (sfdx-lwc-jest): no org needed.
import { jestConfig } from '@salesforce/sfdx-lwc-jest/config.js'

// The bundles live in the package directory, so the unlocked package ships them.
const LWC = '<rootDir>/sfdx/main/default/lwc'

export default {
  ...jestConfig,
  roots: [LWC],
  // Tests are *.test.js under __tests__; lwc/__tests__/utils and mocks hold helpers, not tests.
  testMatch: [`${LWC}/**/__tests__/**/*.test.js`],
  moduleNameMapper: {
    '^c/(.+)$': `${LWC}/$1/$1`,
    '^lightning/actions$': `${LWC}/__tests__/mocks/lightningActions.js`,
  },
  modulePathIgnorePatterns: ['<rootDir>/.localdevserver'],
}
