import { addDays } from './records/model.ts'
import type { NetsuiteSeed } from './seed.ts'

/**
 * A small demo account for the local stack: two subsidiaries, three seat items, four customers
 * keyed by Salesforce Account Ids, and invoices spread over current, overdue, part-paid and paid,
 * with dates relative to `today` so aging always looks alive.
 */
export function demoSeed(today: string): NetsuiteSeed {
  const day = (offset: number) => addDays(today, offset)
  return {
    subsidiaries: [
      { id: 1, name: 'Concord Inc. (US)', currency: { id: 1 } },
      { id: 2, name: 'Concord Ltd (UK)', currency: { id: 2 } },
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
        itemId: 'PLATFORM-ANNUAL',
        displayName: 'Platform fee (annual)',
        itemType: 'serviceSaleItem',
        rate: 12000,
      },
    ],
    customers: [
      {
        externalId: '001DEMO00000000001',
        companyName: 'Acme Corporation',
        subsidiary: { id: 1 },
        email: 'ap@acme.example',
        creditLimit: 20000,
      },
      {
        externalId: '001DEMO00000000002',
        companyName: 'Globex Ltd',
        subsidiary: { id: 2 },
        email: 'finance@globex.example',
      },
      {
        externalId: '001DEMO00000000003',
        companyName: 'Initech',
        subsidiary: { id: 1 },
        creditHoldOverride: 'ON',
      },
      { externalId: '001DEMO00000000004', companyName: 'Umbrella Health', subsidiary: { id: 1 } },
    ],
    invoices: [
      {
        externalId: 'DEMO-INV-1',
        entity: 'eid:001DEMO00000000001',
        tranDate: day(-75),
        dueDate: day(-45),
        item: { items: [{ item: { id: 10 }, quantity: 40 }] },
      },
      {
        externalId: 'DEMO-INV-2',
        entity: 'eid:001DEMO00000000001',
        tranDate: day(-5),
        dueDate: day(25),
        item: { items: [{ item: { id: 10 }, quantity: 42 }] },
      },
      {
        externalId: 'DEMO-INV-3',
        entity: 'eid:001DEMO00000000002',
        tranDate: day(-40),
        dueDate: day(-10),
        item: { items: [{ item: { id: 11 }, quantity: 100 }] },
      },
      {
        externalId: 'DEMO-INV-4',
        entity: 'eid:001DEMO00000000003',
        tranDate: day(-120),
        dueDate: day(-95),
        item: { items: [{ item: { id: 12 }, quantity: 1 }] },
      },
      {
        externalId: 'DEMO-INV-5',
        entity: 'eid:001DEMO00000000004',
        tranDate: day(-20),
        dueDate: day(10),
        item: { items: [{ item: { id: 11 }, quantity: 15 }] },
      },
    ],
    payments: [
      {
        customer: 'eid:001DEMO00000000002',
        payment: 800,
        tranDate: day(-3),
        apply: { items: [{ doc: 'eid:DEMO-INV-3', apply: true, amount: 800 }] },
      },
      {
        customer: 'eid:001DEMO00000000004',
        payment: 300,
        tranDate: day(-2),
        apply: { items: [{ doc: 'eid:DEMO-INV-5', apply: true, amount: 300 }] },
      },
    ],
  }
}
