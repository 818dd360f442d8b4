import { defineConfig } from 'vitest/config'
import { createHash } from 'node:crypto'
import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { testBindings } from './test/worker/support/test-config.ts'
import { buildConsoleAssets } from './tools/console-assets.ts'

// The workerd projects serve the console's static assets (wrangler.toml `[assets]`): build them
// before the pools read the config, as wrangler's build step does for `dev` and `deploy`.
buildConsoleAssets()

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex')

/**
 * Two projects: `worker` runs inside workerd (the Cloudflare vitest plugin, Durable Objects on
 * SQLite); `node` runs the emulators, end-to-end runs against them, and the Salesforce
 * metadata/Apex checks that need no org.
 */
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => {
            const vendors = inject<{ bindings: Record<string, string> }>('vendors')
            return {
              main: './test/worker/support/entry.ts',
              wrangler: { configPath: './wrangler.toml' },
              miniflare: { bindings: { ...vendors.bindings, ...testBindings(sha256) } },
            }
          }),
        ],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          globalSetup: ['test/stack/global-setup.ts'],
          // Many tests go through the emulators, and CI has two cores: 5 s (vitest's default) timed
          // out a sound test on a busy machine. Above `until`'s 30 s, so a wait that never ends
          // fails with what it waited for rather than a bare timeout.
          testTimeout: 40_000,
          // Tests run inside workerd, which has no shell environment: a replay seed is handed in.
          provide: { fuzz: { seed: process.env.FUZZ_SEED } },
        },
      },
      {
        // The chaos run: real alarms and real time, faults on every emulator, retries tuned so a
        // 30-second outage is ridden out rather than parked.
        plugins: [
          cloudflareTest(({ inject }) => {
            const vendors = inject<{ bindings: Record<string, string> }>('vendors')
            return {
              main: './test/worker/support/entry.ts',
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: {
                  ...vendors.bindings,
                  ...testBindings(sha256),
                  RETRY_BASE_MS: '250',
                  RETRY_CAP_MS: '8000',
                  MAX_TRANSIENT_ATTEMPTS: '60',
                  SEQUENCE_GAP_WINDOW_SECONDS: '600',
                },
              },
            }
          }),
        ],
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.test.ts'],
          globalSetup: ['test/stack/global-setup.ts'],
          testTimeout: 400_000,
          fileParallelism: false,
        },
      },
      {
        // Deterministic simulation of the ledger, outboxes and OrgWriter (test/sim/README.md).
        test: {
          name: 'sim',
          include: ['test/sim/**/*.test.ts'],
          environment: 'node',
          testTimeout: 1_800_000,
        },
      },
      {
        // Real Chromium against the local stack (`npm run test:browser`; not part of `vitest run`
        // in `npm test`, which names its projects). Add a flow as one more file in test/browser/.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/global-setup.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
      {
        test: {
          name: 'node',
          include: [
            'test/emulators/**/*.test.ts',
            'test/sfdx/**/*.test.ts',
            'test/e2e/**/*.test.ts',
            'test/node/**/*.test.ts',
          ],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
    ],
  },
})
