import type { Config } from '../config/types.ts'
import { createLogger } from '../lib/log.ts'
import { MetricBuffer } from '../lib/metrics.ts'

/** The name of the one `Metrics` object. */
export const METRICS_NAME = 'global'

/**
 * A producer object's metric buffer: samples batched in memory and sent to the `Metrics` object
 * at most once per `METRICS_FLUSH_MS`, never on the producer's hot path.
 */
export function metricBuffer(env: Env, config: Config, component: string): MetricBuffer {
  return new MetricBuffer(() => env.METRICS.getByName(METRICS_NAME), {
    intervalMs: config.metricsFlushMs,
    log: createLogger({ component: `${component}.metrics` }, config.logLevel),
  })
}
