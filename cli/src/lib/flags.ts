import { Flags } from '@salesforce/sf-plugins-core'
import { WorkerApi } from './worker-api.ts'

/** `--worker-url` and `--token`, shared by every command that talks to the worker. */
export const workerFlags = {
  'worker-url': Flags.url({
    summary: 'URL of the Concord worker, e.g. https://concord.example.workers.dev.',
    env: 'CONCORD_WORKER_URL',
    required: true,
  }),
  token: Flags.string({
    summary: 'Operator token for the worker API (or set CONCORD_TOKEN). Never printed.',
    env: 'CONCORD_TOKEN',
  }),
}

/** The worker client for parsed `workerFlags`. */
export function workerApi(flags: { 'worker-url': URL; token?: string }): WorkerApi {
  return new WorkerApi(flags['worker-url'].toString(), flags.token)
}
