import { netsuiteSection, gates } from '../support/connectors.ts'
import { env } from 'cloudflare:workers'
import { createNetsuite } from '../../../worker/connectors/netsuite/index.ts'
import type { NetsuiteSettings } from '../../../worker/config/types.ts'
import { emulatorControl } from '../support/vendors.ts'

/** The NetSuite settings the worker test env carries (the emulator's), with overrides. */
export function netsuiteSettings(overrides: Partial<NetsuiteSettings> = {}): NetsuiteSettings {
  const read = netsuiteSection(env)
  if (read.status !== 'ok')
    throw new Error(`the worker test env has no NetSuite settings (${read.status})`)
  return { ...read.settings, ...overrides }
}

/** A connector with its own semaphore instance, so tests never share permits. */
export const netsuiteParts = (label: string, overrides: Partial<NetsuiteSettings> = {}) =>
  createNetsuite(netsuiteSettings(overrides), gates, {
    name: `${label}-${crypto.randomUUID()}`,
  })

/** The NetSuite emulator's control API. */
export const netsuiteControl = <T = Record<string, unknown>>(path: string, body?: unknown) =>
  emulatorControl<T>(env.NETSUITE_BASE_URL as string, path, body)
