/** Waits `ms` (the commands' own polling interval; tests pass a short one). */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export const pollIntervalFlag = {
  summary: 'How often to ask the worker, in milliseconds.',
  default: 2000,
  min: 50,
} as const
