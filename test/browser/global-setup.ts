import type { TestProject } from 'vitest/node'
import { startConsoleStack, type ConsoleStackInfo } from './support/stack.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    consoleStack: ConsoleStackInfo
  }
}

/** Starts the local stack once for the browser tests; every test file shares it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startConsoleStack()
  project.provide('consoleStack', stack.info)
  return () => stack.stop()
}
