import * as z from 'zod/mini'
import { ACTIVATION_RULES } from '../../shared/index.ts'
import { parseOrThrow, webhookSection, type Vars } from './parse.ts'
import type { ActivationSettings } from './types.ts'

/** Activation (README, "Activation"): the default rule and the provisioning webhook's retries. */
export const ActivationVars = z.object({
  ACTIVATION_DEFAULT_RULE: z._default(z.enum(ACTIVATION_RULES), 'on_create'),
  ACTIVATION_MAX_ATTEMPTS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 12),
})

/**
 * The activation settings.
 * @throws ConfigError naming a bad default rule or attempt count.
 */
export function activationSettings(env: Vars): { activation: ActivationSettings } {
  const v = parseOrThrow(ActivationVars, env, 'activation configuration')
  return {
    activation: {
      defaultRule: v.ACTIVATION_DEFAULT_RULE,
      maxAttempts: v.ACTIVATION_MAX_ATTEMPTS,
      webhook: webhookSection(env, 'PROVISIONING_WEBHOOK_URL', 'PROVISIONING_WEBHOOK_SECRET'),
    },
  }
}
