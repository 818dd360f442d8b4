import * as z from 'zod/mini'
import { ACTIVATION_RULES } from '../../shared/index.ts'
import { ConfigError } from '../errors.ts'
import type { ActivationSettings, AlertWebhook, Section } from './types.ts'

/** Activation (README, "Activation"): the default rule and the provisioning webhook's retries. */
export const ActivationVars = z.object({
  ACTIVATION_DEFAULT_RULE: z._default(z.enum(ACTIVATION_RULES), 'on_create'),
  ACTIVATION_MAX_ATTEMPTS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 12),
})

export const ProvisioningWebhookVars = z.object({
  PROVISIONING_WEBHOOK_URL: z.url({ protocol: /^https?$/ }),
  PROVISIONING_WEBHOOK_SECRET: z.string().check(z.minLength(32, 'must be at least 32 characters')),
})

type Vars = Record<string, unknown>

const problemsOf = (error: z.core.$ZodError) =>
  error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)

/** Absent when neither is set; invalid (named, never the secret's value) when half set. */
function webhookSection(env: Vars): Section<AlertWebhook> {
  const set = ['PROVISIONING_WEBHOOK_URL', 'PROVISIONING_WEBHOOK_SECRET'].filter(
    (k) => typeof env[k] === 'string' && env[k].trim() !== '',
  )
  if (set.length === 0) return { status: 'absent' }
  const parsed = z.safeParse(ProvisioningWebhookVars, env)
  if (!parsed.success) return { status: 'invalid', problems: problemsOf(parsed.error) }
  return {
    status: 'ok',
    settings: {
      url: parsed.data.PROVISIONING_WEBHOOK_URL,
      secret: parsed.data.PROVISIONING_WEBHOOK_SECRET,
    },
  }
}

/**
 * The activation settings.
 * @throws ConfigError naming a bad default rule or attempt count.
 */
export function activationSettings(env: Vars): { activation: ActivationSettings } {
  const parsed = z.safeParse(ActivationVars, env)
  if (!parsed.success)
    throw new ConfigError(
      `invalid activation configuration: ${problemsOf(parsed.error).join('; ')}`,
    )
  return {
    activation: {
      defaultRule: parsed.data.ACTIVATION_DEFAULT_RULE,
      maxAttempts: parsed.data.ACTIVATION_MAX_ATTEMPTS,
      webhook: webhookSection(env),
    },
  }
}
