/** How a setup step left things: what it did, or that nothing needed doing. */
export type Outcome = 'created' | 'updated' | 'unchanged' | 'checked' | 'skipped'

/** One line of the setup summary. */
export interface StepResult {
  step: string
  outcome: Outcome
  detail: string
}

export const step = (name: string, outcome: Outcome, detail: string): StepResult => ({
  step: name,
  outcome,
  detail,
})
