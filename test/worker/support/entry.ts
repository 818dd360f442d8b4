/**
 * The worker tests' entry: the worker as deployed, with each Durable Object built on the test
 * wiring (constructor injection), so a test can run the real ledger against doubles.
 */
import * as worker from '../../../worker/index.ts'
import { TEST_WIRING } from './wiring.ts'

export default worker.default
export { NetsuiteGate } from '../../../worker/index.ts'

export class AccountLedger extends worker.AccountLedger {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, TEST_WIRING)
  }
}

export class OrgWriter extends worker.OrgWriter {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, TEST_WIRING)
  }
}

export class OpsRegistry extends worker.OpsRegistry {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, TEST_WIRING)
  }
}

export class EventSubscriber extends worker.EventSubscriber {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, TEST_WIRING)
  }
}

export class ErpArSync extends worker.ErpArSync {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, TEST_WIRING)
  }
}

export class Backfill extends worker.Backfill {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, TEST_WIRING)
  }
}

export class Metrics extends worker.Metrics {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, TEST_WIRING)
  }
}

export class ApprovalDesk extends worker.ApprovalDesk {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, TEST_WIRING)
  }
}

export class Reconciler extends worker.Reconciler {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, TEST_WIRING)
  }
}
