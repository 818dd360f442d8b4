import type { SalesforceObjectSchema } from '../../../shared/salesforce-schema.ts'

/**
 * The standard product objects the catalog check reads: Product2 (a product: `ProductCode`,
 * `IsActive`), Pricebook2 (a price book; the org's one standard price book has `IsStandard`
 * true, set by Salesforce, never by a client) and PricebookEntry (a product's list price in one
 * price book: `UnitPrice`, `IsActive`; `CurrencyIsoCode` in multi-currency orgs). Fields as the
 * Object Reference has them; `Product2Id` relates as `Product2`, `Pricebook2Id` as `Pricebook2`.
 */
export const PRODUCT_SCHEMA: Record<string, SalesforceObjectSchema> = {
  Product2: {
    kind: 'StandardObject',
    fields: {
      Name: { type: 'Text', length: 255 },
      ProductCode: { type: 'Text', length: 255 },
      Family: { type: 'Picklist', values: ['None'] },
      IsActive: { type: 'Checkbox' },
    },
  },
  Pricebook2: {
    kind: 'StandardObject',
    fields: {
      Name: { type: 'Text', length: 255 },
      IsActive: { type: 'Checkbox' },
    },
  },
  PricebookEntry: {
    kind: 'StandardObject',
    fields: {
      Pricebook2Id: { type: 'Lookup', referenceTo: 'Pricebook2' },
      Product2Id: { type: 'Lookup', referenceTo: 'Product2' },
      UnitPrice: { type: 'Currency', precision: 18, scale: 2 },
      IsActive: { type: 'Checkbox' },
    },
  },
}

/** Key prefixes as Salesforce has them. */
export const PRODUCT_PREFIXES: Record<string, string> = {
  Product2: '01t',
  Pricebook2: '01s',
  PricebookEntry: '01u',
}
