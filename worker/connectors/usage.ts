/**
 * The system layer for usage: billing takes meter events, the ERP takes one summary per
 * subscription, meter and period. Every write is keyed by what it stands for (the meter event's
 * identifier, the summary's external id), so a retried call can never count twice.
 */

/** One aggregate of usage as billing's meter event (`timestamp` in unix seconds). */
export interface MeterEventInput {
  eventName: string
  customerId: string
  value: number
  /** Derived from the aggregate; billing counts an identifier once. */
  identifier: string
  timestamp: number
}

export interface UsageBilling {
  /** @throws ConnectorError (a repeat of an identifier already counted is a success). */
  reportMeterEvent(event: MeterEventInput): Promise<void>
}

/** A subscription's usage of one meter over one closed period, as the ERP records it. */
export interface UsageSummaryInput {
  /** Derived from account, subscription, meter and period: the upsert key. */
  externalId: string
  erpCustomerId: string
  erpItemId: string
  subscriptionKey: string
  meterKey: string
  period: string
  quantity: number
  records: number
  correlationId: string
}

export interface UsageErp {
  /** @throws ConnectorError */
  recordUsageSummary(summary: UsageSummaryInput): Promise<{ ref: string }>
}

export interface UsageConnectors {
  billing: UsageBilling
  erp: UsageErp
}
