import { describe, expect, it } from 'vitest'
import { mintLoginCode } from '../../../worker/console/login-link.ts'
import { TEST_CONSOLE_LOGIN_SECRET } from '../support/test-config.ts'
import { consoleFetch, cookieOf, csrfIn, form, redeem } from './support.ts'

describe('one-time links naming a person', () => {
  it('signs in the named person with the named role, who gets only what the role allows', async () => {
    const code = await mintLoginCode(TEST_CONSOLE_LOGIN_SECRET, {
      as: { name: 'vera.second', role: 'viewer' },
    })
    const cookie = cookieOf(await redeem(code))
    const page = await consoleFetch('/console/exceptions', { headers: { cookie } })
    const html = await page.text()
    expect(html).toContain('vera.second (viewer)')
    const refused = await consoleFetch(
      `/console/exceptions/${crypto.randomUUID()}/retry`,
      form({ _csrf: csrfIn(html) }, { cookie }),
    )
    expect(refused.status).toBe(403)
  })

  it('falls back to the local person for a link that names an unknown role', async () => {
    const code = await mintLoginCode(TEST_CONSOLE_LOGIN_SECRET, {
      // A code is sealed, so only the stack's own minting could send this: still refused.
      as: { name: 'mallory', role: 'root' as 'admin' },
    })
    const cookie = cookieOf(await redeem(code))
    const html = await (await consoleFetch('/console', { headers: { cookie } })).text()
    expect(html).toContain('local-console (admin)')
    expect(html).not.toContain('mallory')
  })
})
