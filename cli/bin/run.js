#!/usr/bin/env node
// Runs the plugin's commands without sf (oclif's standard entry point): `cli/bin/run.js concord
// doctor …` behaves as `sf concord doctor …` once the plugin is linked. Needs `npm run build`.
import { execute } from '@oclif/core'

await execute({ dir: import.meta.url })
