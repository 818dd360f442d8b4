import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

/**
 * The plugin's tests run its commands in node against the emulators (in-process) and a worker.
 * `sf` keeps auth files and logs under HOME, so every run gets a fresh one; the generic keychain
 * keeps the auth key in a file there instead of asking the desktop's.
 */
const home = mkdtempSync(join(tmpdir(), 'concord-cli-home-'))

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    env: {
      HOME: home,
      SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
      SF_DISABLE_TELEMETRY: 'true',
      SF_AUTOUPDATE_DISABLE: 'true',
      SF_LOG_LEVEL: 'fatal',
      NO_COLOR: '1',
    },
  },
})
