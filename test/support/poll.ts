/**
 * The one way a test waits: on a condition, never for a fixed time. Runs in workerd and in Node.
 *
 * `step` is called until it returns something other than `undefined` or `false`; that value is
 * the answer. A step may also act (run a due alarm, move a fake clock) before it says "not yet".
 * Between calls it yields for `intervalMs` so the runtime's own alarms and sockets make progress.
 * @throws an Error naming `what` (and the last value seen, when `describe` is given) once
 *   `timeoutMs` has passed without an answer.
 */
export async function until<T>(
  what: string,
  step: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => unknown } = {},
): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 5 } = options
  const deadline = realNow() + timeoutMs
  for (;;) {
    const answer = await step()
    if (answer !== undefined && answer !== false) return answer
    if (realNow() > deadline) {
      const last = options.describe ? `: ${JSON.stringify(await options.describe())}` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** Resolves once the wall clock has passed `epochMs` (for vendors that stamp by the second). */
export async function untilClockPasses(epochMs: number): Promise<void> {
  await until(`the clock to pass ${new Date(epochMs).toISOString()}`, () => Date.now() > epochMs, {
    intervalMs: 20,
    timeoutMs: epochMs - Date.now() + 5_000,
  })
}

// Tests freeze `Date` with fake timers; the deadline must still be real time.
const realNow = () => performance.now()
