import type { Catalog } from '../../shared/index.ts'
import type { NetsuiteSeed } from '../emulators/netsuite/index.ts'
import type { SeedInput } from '../emulators/stripe/index.ts'

/**
 * One demo world, consistent across the three systems: every catalog price key maps to a
 * Stripe price and a NetSuite item that exist in the emulators' seeds, and to a Salesforce
 * product (the Salesforce emulator's `DEMO_PRODUCTS`: one Product2 per product code, a standard list price per currency).
 */
export const DEMO_CATALOG: Catalog = {
  version: 'demo-2026-11',
  prices: {
    'pro-monthly-usd': {
      billingPriceId: 'price_pro_monthly_usd',
      salesforceProductCode: 'PRO-SEAT-M',
      erpItemId: '10',
      interval: 'month',
      currency: 'USD',
      productName: 'Pro seat',
      unitAmount: 5000,
    },
    'pro-annual-usd': {
      billingPriceId: 'price_pro_annual_usd',
      salesforceProductCode: 'PRO-SEAT-A',
      erpItemId: '13',
      interval: 'year',
      currency: 'USD',
      productName: 'Pro seat (annual)',
      unitAmount: 50000,
    },
    'team-monthly-usd': {
      billingPriceId: 'price_team_monthly_usd',
      salesforceProductCode: 'TEAM-SEAT-M',
      erpItemId: '11',
      interval: 'month',
      currency: 'USD',
      productName: 'Team seat',
      unitAmount: 2000,
    },
    'pro-monthly-gbp': {
      billingPriceId: 'price_pro_monthly_gbp',
      salesforceProductCode: 'PRO-SEAT-M',
      erpItemId: '14',
      interval: 'month',
      currency: 'GBP',
      productName: 'Pro seat (GBP)',
      unitAmount: 4000,
    },
    'enterprise-annual-eur': {
      billingPriceId: 'price_enterprise_annual_eur',
      salesforceProductCode: 'ENTERPRISE-A',
      erpItemId: '12',
      interval: 'year',
      currency: 'EUR',
      productName: 'Enterprise platform',
      unitAmount: 1200000,
    },
  },
  meters: {
    'api-calls': {
      eventName: 'concord_api_calls',
      erpItemId: '20',
      productName: 'API calls',
      unit: 'call',
    },
    'storage-gb': {
      eventName: 'concord_storage_gb',
      erpItemId: '21',
      productName: 'Storage',
      unit: 'GB-day',
    },
  },
}

export const DEMO_STRIPE: SeedInput = {
  products: [
    { id: 'prod_pro', name: 'Pro seat' },
    { id: 'prod_team', name: 'Team seat' },
    { id: 'prod_enterprise', name: 'Enterprise platform' },
  ],
  prices: [
    {
      id: 'price_pro_monthly_usd',
      product: 'prod_pro',
      currency: 'usd',
      unit_amount: 5000,
      recurring: { interval: 'month' },
    },
    {
      id: 'price_pro_annual_usd',
      product: 'prod_pro',
      currency: 'usd',
      unit_amount: 50000,
      recurring: { interval: 'year' },
    },
    {
      id: 'price_team_monthly_usd',
      product: 'prod_team',
      currency: 'usd',
      unit_amount: 2000,
      recurring: { interval: 'month' },
    },
    {
      id: 'price_pro_monthly_gbp',
      product: 'prod_pro',
      currency: 'gbp',
      unit_amount: 4000,
      recurring: { interval: 'month' },
    },
    {
      id: 'price_enterprise_annual_eur',
      product: 'prod_enterprise',
      currency: 'eur',
      unit_amount: 1200000,
      recurring: { interval: 'year' },
    },
  ],
  meters: [
    { id: 'mtr_api_calls', display_name: 'API calls', event_name: 'concord_api_calls' },
    { id: 'mtr_storage_gb', display_name: 'Storage', event_name: 'concord_storage_gb' },
  ],
}

/** Subsidiaries by Concord_Legal_Entity__c (the worker's rule maps these), and the catalog's items. */
export const DEMO_NETSUITE: NetsuiteSeed = {
  subsidiaries: [
    { id: 1, name: 'Concord Inc. (US)', currency: { id: 1 } },
    { id: 2, name: 'Concord Ltd (UK)', currency: { id: 2 } },
    { id: 3, name: 'Concord GmbH (EU)', currency: { id: 4 } },
  ],
  items: [
    {
      id: 10,
      itemId: 'PRO-SEAT-MONTHLY',
      displayName: 'Pro seat (monthly)',
      itemType: 'serviceSaleItem',
      rate: 50,
    },
    {
      id: 11,
      itemId: 'TEAM-SEAT-MONTHLY',
      displayName: 'Team seat (monthly)',
      itemType: 'serviceSaleItem',
      rate: 20,
    },
    {
      id: 12,
      itemId: 'ENTERPRISE-ANNUAL',
      displayName: 'Enterprise platform (annual)',
      itemType: 'serviceSaleItem',
      rate: 12000,
    },
    {
      id: 13,
      itemId: 'PRO-SEAT-ANNUAL',
      displayName: 'Pro seat (annual)',
      itemType: 'serviceSaleItem',
      rate: 500,
    },
    {
      id: 14,
      itemId: 'PRO-SEAT-MONTHLY-GBP',
      displayName: 'Pro seat (monthly, GBP)',
      itemType: 'serviceSaleItem',
      rate: 40,
    },
    {
      id: 20,
      itemId: 'API-CALLS',
      displayName: 'API calls (usage)',
      itemType: 'serviceSaleItem',
      rate: 0.002,
    },
    {
      id: 21,
      itemId: 'STORAGE-GB',
      displayName: 'Storage, GB-day (usage)',
      itemType: 'serviceSaleItem',
      rate: 0.01,
    },
  ],
}

/** Concord_Legal_Entity__c → NetSuite subsidiary id. */
export const DEMO_SUBSIDIARY_RULES: Record<string, string> = {
  'US-INC': '1',
  'UK-LTD': '2',
  'EU-GMBH': '3',
  '*': '1',
}
