import { salesforceClientFromEnv } from '../connectors/salesforce/index.ts'
import type { Env } from '../env.ts'
import { salesforceWriterClient } from './salesforce-writer.ts'
import type { WriterClient } from './types.ts'

export type WriterClientFactory = (env: Env) => WriterClient | undefined

const defaultFactory: WriterClientFactory = (env) => {
  const client = salesforceClientFromEnv(env)
  return client ? salesforceWriterClient(client) : undefined
}

let factory: WriterClientFactory = defaultFactory

/** The Salesforce client the writer flushes through, or undefined when Salesforce isn't configured. */
export function writerClientFor(env: Env): WriterClient | undefined {
  return factory(env)
}

/** Replaces how the writer's client is built (tests pass a double); nothing restores the default. */
export function useWriterClient(next?: WriterClientFactory): void {
  factory = next ?? defaultFactory
}
