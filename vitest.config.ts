import { defineConfig } from 'vitest/config'
import { createHash } from 'node:crypto'
import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { testBindings } from './test/worker/support/test-config.ts'

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
              wrangler: { configPath: './wrangler.toml' },
              miniflare: { bindings: { ...vendors.bindings, ...testBindings(sha256) } },
            }
          }),
        ],
        test: { name: 'worker', include: ['test/worker/**/*.test.ts'], globalSetup: ['test/stack/global-setup.ts'] },
      },
      {
        test: {
          name: 'node',
          include: ['test/emulators/**/*.test.ts', 'test/sfdx/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
    ],
  },
})
