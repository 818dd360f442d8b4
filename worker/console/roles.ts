import { CONSOLE_ROLES, type ConsoleRole, type ConsoleRoleMap } from '../config/schema.ts'

export type { ConsoleRole }

const rank = (role: ConsoleRole) => CONSOLE_ROLES.indexOf(role)

/** Whether `role` may do what `needed` may (roles are ordered: viewer < operator < approver < admin). */
export function hasRole(role: ConsoleRole, needed: ConsoleRole): boolean {
  return rank(role) >= rank(needed)
}

/**
 * The highest role the map grants an identity, by its email (case-insensitive) or any of its
 * groups; undefined when nothing matches, so an unknown person gets no access at all.
 */
export function roleFor(
  who: { email: string; groups: readonly string[] },
  map: ConsoleRoleMap,
): ConsoleRole | undefined {
  const email = who.email.toLowerCase()
  const granted: ConsoleRole[] = []
  for (const [key, role] of Object.entries(map.emails))
    if (key.toLowerCase() === email) granted.push(role)
  for (const group of who.groups) {
    // Own keys only: a group named "constructor" must not find Object.prototype's.
    if (Object.hasOwn(map.groups, group)) granted.push(map.groups[group] as ConsoleRole)
  }
  return granted.sort((a, b) => rank(b) - rank(a))[0]
}
