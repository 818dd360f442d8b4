import { Flags, SfCommand } from '@salesforce/sf-plugins-core'
import { workerApi, workerFlags } from '../../lib/flags.ts'
import type { ActivationAnswer, ActivationView } from '../../lib/worker-types.ts'

const SAID: Record<ActivationAnswer['status'], (a: ActivationView) => string> = {
  requested: (a) =>
    `Activation of ${a.subscriptionKey} requested: its account's ledger activates it now and sends Concord_Activation__e and the provisioning webhook.`,
  already_requested: (a) =>
    `Activation of ${a.subscriptionKey} was already requested${a.requestedBy ? ` by ${a.requestedBy}` : ''}${a.requestedAt ? ` at ${a.requestedAt}` : ''}; its ledger is activating it.`,
  already_activated: (a) =>
    `${a.subscriptionKey} is already activated${a.activatedAt ? ` (at ${a.activatedAt})` : ''}: nothing to do.`,
  redelivering: (a) =>
    `${a.subscriptionKey} is already activated; its parked deliveries are sent again under the same activation id${a.activationId ? ` (${a.activationId})` : ''}.`,
}

/**
 * `sf concord activate --account <id> --subscription <key>`: asks for the activation of a
 * subscription whose activation rule is `manual` (`POST /v1/activations`, operator role; README,
 * "Activation"). The worker refuses with 409 `not_in_billing` before billing has the subscription
 * and `not_manual` for another rule; for one already activated it sends parked deliveries again.
 */
export default class Activate extends SfCommand<ActivationAnswer> {
  public static override readonly summary =
    'Activate a subscription whose activation rule is manual (or send its parked deliveries again).'
  public static override readonly examples = [
    '<%= config.bin %> <%= command.id %> --account 001Hs00000Xk9ZpIAJ --subscription SUB-1042',
  ]
  public static override readonly enableJsonFlag = true
  public static override readonly flags = {
    ...workerFlags,
    account: Flags.string({
      summary: 'Salesforce Account id the subscription belongs to (15 or 18 characters).',
      required: true,
    }),
    subscription: Flags.string({
      summary: 'The subscription key (Subscription_Key__c).',
      required: true,
    }),
  }

  public async run(): Promise<ActivationAnswer> {
    const { flags } = await this.parse(Activate)
    const answer = await workerApi(flags).call<ActivationAnswer>(
      'POST',
      '/v1/activations',
      `Activating subscription ${flags.subscription}`,
      { accountId: flags.account, subscriptionKey: flags.subscription },
    )
    this.log(SAID[answer.status](answer.activation))
    for (const d of answer.activation.deliveries)
      this.log(
        `  ${d.channel}: ${d.state} after ${d.attempts} attempt(s)${d.lastError ? `, last error: ${d.lastError}` : ''}`,
      )
    return answer
  }
}
