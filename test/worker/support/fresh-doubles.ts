import { afterEach, beforeEach, vi } from 'vitest'
import { DoubleConnectors } from '../../doubles/connectors.ts'
import { newAccountId, useRecordSink } from './helpers.ts'
import { useConnectorFactory, useWriterClient } from './wiring.ts'

/**
 * The set-up most ledger, operator and console tests share. Before each test: a new account id
 * and new connector doubles, which the ledgers' sagas call and whose writer takes the OrgWriter's
 * records; `use` is handed both (the file keeps them in its own variables). After each test:
 * production's connectors and writer client, the real mocks and the real timers come back.
 */
export function useFreshDoubles(use: (doubles: DoubleConnectors, account: string) => void): void {
  beforeEach(() => {
    const doubles = new DoubleConnectors()
    useConnectorFactory(() => doubles)
    useRecordSink(doubles.writer)
    use(doubles, newAccountId())
  })
  afterEach(() => {
    useConnectorFactory()
    useWriterClient()
    vi.restoreAllMocks()
    vi.useRealTimers()
  })
}
