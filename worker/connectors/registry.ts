import type { Config, Env } from '../env.ts'
import { ConnectorError, type Connectors } from './types.ts'

/** Builds the connectors a saga runs against. */
export type ConnectorFactory = (env: Env, config: Config) => Connectors

const unavailable = (system: string) => () =>
  Promise.reject(
    new ConnectorError({ kind: 'transient', system, code: 'not_configured', message: `no ${system} connector is configured` }),
  )

/**
 * Until credentials are configured the saga waits (transient), rather than park amendments:
 * configuring the connector resumes them with no hand work.
 */
const defaultFactory: ConnectorFactory = () => ({
  billing: { ensureCustomer: unavailable('billing'), applyAmendment: unavailable('billing'), previewAmendment: unavailable('billing') },
  erp: { ensureCustomer: unavailable('erp'), recordAmendment: unavailable('erp') },
  salesforce: { readAccount: unavailable('salesforce'), reportStatuses: unavailable('salesforce') },
})

let factory: ConnectorFactory = defaultFactory

export function buildConnectors(env: Env, config: Config): Connectors {
  return factory(env, config)
}

/**
 * Replaces how connectors are built. The test suites use it to run the real saga against
 * doubles; pass nothing to restore the default.
 */
export function useConnectorFactory(next?: ConnectorFactory): void {
  factory = next ?? defaultFactory
}
