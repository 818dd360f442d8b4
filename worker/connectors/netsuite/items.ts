import type { CatalogErp, ErpItemFacts } from '../catalog.ts'
import type { NetsuiteClient } from './client.ts'
import { sq, suiteql, suiteqlAll } from './suiteql.ts'

/** SuiteQL's `IN` list stays well under Oracle's 1,000-expression limit. */
const BATCH = 500

/**
 * The items among `ids` (internal ids) that exist, with `isinactive`: every item type sits in
 * SuiteQL's one `item` table, where the item records' `isInactive` reads as `isinactive` `T`/`F`.
 * An id that is not a NetSuite internal id (a whole number) cannot exist, so it is not asked.
 * @throws ConnectorError
 */
export async function readItems(
  client: NetsuiteClient,
  ids: readonly string[],
): Promise<ErpItemFacts[]> {
  const numeric = [...new Set(ids)].filter((id) => /^[1-9]\d{0,15}$/.test(id)).map(Number)
  const out: ErpItemFacts[] = []
  for (let i = 0; i < numeric.length; i += BATCH) {
    const batch = numeric.slice(i, i + BATCH).map((id) => sq.int(id))
    const rows = await suiteqlAll(
      client,
      suiteql`SELECT id, itemid, isinactive FROM item WHERE id IN ${sq.list(batch)}`,
    )
    for (const row of rows)
      if (row.id)
        out.push({ id: row.id, name: row.itemid ?? row.id, inactive: row.isinactive === 'T' })
  }
  return out
}

export function netsuiteCatalog(client: NetsuiteClient): CatalogErp {
  return { items: (ids) => readItems(client, ids) }
}
