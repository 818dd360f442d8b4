// ESLint for the TypeScript in worker/, shared/, test/, cli/ and the root config files, type-aware
// (typescript-eslint's recommendedTypeChecked). sfdx/ (with the LWCs) gets the Salesforce LWC config
// from tools/lwc-lint, on ESLint 9 (`npm run lint` runs both).
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'

export default defineConfig(
  {
    ignores: [
      'node_modules/',
      '.wrangler/',
      '.stack/',
      '.assets/',
      'coverage/',
      'dist/',
      'sfdx/',
      'cli/lib/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The worker's program (Workers types); shared/ and test/fixtures are in both.
        project: ['./tsconfig.json', './tsconfig.node.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A leading underscore marks a binding that is unused on purpose: a property dropped from a
      // rest spread, or a positional callback parameter before the one that is used.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // Node's program (Node types) for what runs in Node. Named here rather than left to the first
    // program that holds a file: worker tests import emulators, and node tests import worker code.
    files: ['test/{emulators,stack,bench,e2e,sfdx,node}/**/*.ts', 'tools/*.ts'],
    languageOptions: { parserOptions: { project: ['./tsconfig.node.json'] } },
  },
  {
    // The simulation runs worker code on Node: Workers and Node types together (tsconfig.sim.json).
    files: ['test/sim/**/*.ts'],
    languageOptions: { parserOptions: { project: ['./tsconfig.sim.json'] } },
  },
  {
    // The sf plugin (cli/) is its own Node program, module resolution nodenext.
    files: ['cli/**/*.ts'],
    languageOptions: { parserOptions: { project: ['./cli/tsconfig.json'] } },
  },
  {
    // In tests, vitest's asymmetric matchers (expect.any, expect.stringMatching,
    // expect.objectContaining) are typed `any`, and response bodies are parsed JSON whose shape is
    // exactly what the assertions check; the unsafe-* rules would only force casts in front of them.
    files: ['test/**/*.test.ts', 'cli/test/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Test doubles stand in for async connectors: their methods are `async` so that a scripted
    // failure reaches the caller as a rejected promise, exactly as the real connector's would,
    // even when the double itself has nothing to await.
    files: ['test/doubles/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // The worker's bundle (npm run size): Hono's full preset brings three routers where hono/tiny
    // has one, and classic zod every locale; types may come from anywhere.
    files: ['worker/**/*.{ts,tsx}', 'shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'hono', message: "Import Hono from 'hono/tiny'.", allowTypeImports: true },
            { name: 'zod', message: "Import from 'zod/mini'.", allowTypeImports: true },
          ],
        },
      ],
    },
  },
  {
    // Plain JavaScript is in neither tsconfig, so it gets the rules that need no type information.
    files: ['**/*.{js,mjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['*.js', '.ci/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly' } },
  },
  {
    // The LWC lint's runner (Node); the components themselves are linted by it, with ESLint 9.
    files: ['tools/lwc-lint/*.{js,mjs}'],
    languageOptions: { globals: { console: 'readonly', process: 'writable' } },
  },
  {
    // Bundled by wrangler into workerd, where these are globals.
    files: ['test/bench/harness/*.js'],
    languageOptions: { globals: { URL: 'readonly', Response: 'readonly' } },
  },
)
