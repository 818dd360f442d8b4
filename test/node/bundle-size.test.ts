import { describe, expect, it } from 'vitest'
import { measureBundle } from '../bench/bundle-size.ts'

/** Fails well before the Workers size limit matters, so a heavy dependency is noticed the day it lands. */
const LIMIT_GZIP_BYTES = 150 * 1024

describe('the worker bundle', () => {
  it('stays under 150 KiB gzip', () => {
    const { rawBytes, gzipBytes } = measureBundle()
    console.log(
      `worker bundle: ${(rawBytes / 1024).toFixed(1)} KiB raw, ${(gzipBytes / 1024).toFixed(1)} KiB gzip`,
    )
    expect(rawBytes).toBeGreaterThan(50 * 1024)
    expect(gzipBytes).toBeLessThan(LIMIT_GZIP_BYTES)
  }, 120_000)
})
