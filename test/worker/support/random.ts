import { seededRandom } from '../../emulators/common/faults.ts'

export { seededRandom }

/** Fisher–Yates with a seeded source, so a failing order can be replayed from its seed. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}
