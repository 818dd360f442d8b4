import { version } from '../../package.json'

/**
 * The release this worker was built from: the root package's version, read at bundle time
 * (esbuild inlines the one field), so `/healthz` and `sf concord doctor` can name it.
 */
export const WORKER_VERSION: string = version
