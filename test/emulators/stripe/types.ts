/**
 * The Stripe objects the emulator keeps, in their public API shape (field names and nullability
 * as in the API reference for the current `basil`/`clover` line of API versions). State is stored
 * in this shape so a response is a deep copy of the stored object.
 */
export type * from './types/core.ts'
export type * from './types/subscriptions.ts'
export type * from './types/invoices.ts'
export type * from './types/meters.ts'
