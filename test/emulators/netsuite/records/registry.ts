import { changeOrderDef, subscriptionDef } from './billing.ts'
import { currencyDef, customerDef, itemDef, subsidiaryDef } from './entities.ts'
import type { RecordDef } from './model.ts'
import { customerRefundDef } from './refunds.ts'
import { salesTaxItemDef, taxTypeDef } from './tax.ts'
import { usageSummaryDef } from './usage.ts'
import { creditMemoDef, customerPaymentDef, invoiceDef, salesOrderDef } from './transactions.ts'

/** Every record type the emulator knows. */
export const RECORD_DEFS: RecordDef[] = [
  currencyDef,
  subsidiaryDef,
  itemDef,
  taxTypeDef,
  salesTaxItemDef,
  customerDef,
  salesOrderDef,
  invoiceDef,
  customerPaymentDef,
  creditMemoDef,
  customerRefundDef,
  subscriptionDef,
  changeOrderDef,
  usageSummaryDef,
]

const BY_NAME = new Map<string, RecordDef>()
for (const def of RECORD_DEFS) {
  for (const name of [def.id, ...(def.aliases ?? [])]) BY_NAME.set(name.toLowerCase(), def)
}

/** Finds a record type by its REST id; NetSuite matches these case-insensitively. */
export function recordDef(name: string): RecordDef | undefined {
  return BY_NAME.get(name.toLowerCase())
}

/** The definition of a stored type id (always known). */
export function defOf(type: string): RecordDef {
  const def = BY_NAME.get(type.toLowerCase())
  if (!def) throw new Error(`unknown record type ${type}`)
  return def
}
