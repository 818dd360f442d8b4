/**
 * The system layer for catalog governance: what each system says about the offers the catalog
 * maps to it. Read-only; the check (`ops/catalog-check.ts`) compares these with the catalog.
 */

/** A billing price as billing has it (`GET /v1/prices/:id`); amounts in minor units. */
export interface BillingPriceFacts {
  id: string
  active: boolean
  /** ISO 4217, upper case. */
  currency: string
  unitAmount: number | null
  interval: string | null
}

export interface CatalogBilling {
  /** The price, or undefined when billing has no such price. @throws ConnectorError */
  price(id: string): Promise<BillingPriceFacts | undefined>
}

/** An ERP item by internal id (`isInactive` as the item record has it). */
export interface ErpItemFacts {
  id: string
  name: string
  inactive: boolean
}

export interface CatalogErp {
  /** The items among `ids` that exist. @throws ConnectorError */
  items(ids: readonly string[]): Promise<ErpItemFacts[]>
}

/** A standard price book entry of a Salesforce product; `unitPrice` in major units. */
export interface PricebookEntryFacts {
  id: string
  active: boolean
  unitPrice: number
  /** Only in multi-currency orgs. */
  currency?: string
}

/** A Salesforce `Product2` and its standard price book entries. */
export interface SalesforceProductFacts {
  id: string
  productCode: string
  active: boolean
  entries: PricebookEntryFacts[]
}

export interface CatalogSalesforce {
  /** The products among `codes` that exist (by `ProductCode`). @throws ConnectorError */
  products(codes: readonly string[]): Promise<SalesforceProductFacts[]>
}

/** The three systems' read side for the catalog check. */
export interface CatalogSources {
  billing: CatalogBilling
  erp: CatalogErp
  salesforce: CatalogSalesforce
}
