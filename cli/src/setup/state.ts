import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * What setup remembers between runs, so a second run knows what is already in place and an
 * interrupted one resumes: never a secret, only a short fingerprint of each (a truncated
 * SHA-256 of 32 random bytes tells nothing about them) and where it was stored.
 */
export interface SetupState {
  version: 1
  intakeSecret?: { fingerprint: string; credential: boolean; worker: boolean }
  stripeEndpoint?: { id: string; fingerprint?: string; worker: boolean }
}

export const fingerprint = (secret: string): string =>
  createHash('sha256').update(secret).digest('hex').slice(0, 12)

/** Reads the state file; a missing or unreadable one is a fresh start. */
export function loadState(path: string): SetupState {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as SetupState
    return parsed.version === 1 ? parsed : { version: 1 }
  } catch {
    return { version: 1 }
  }
}

/** Writes the state file atomically (a crash mid-write leaves the previous one). */
export function saveState(path: string, state: SetupState): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  renameSync(`${path}.tmp`, path)
}
