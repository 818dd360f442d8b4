import { createHmac } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { evaluateHeader } from './formula.ts'
import { DEFAULT, SFDX, filesUnder, read, tag } from './project.ts'

const WORKER_CLIENT = read(join(DEFAULT, 'classes', 'worker', 'WorkerClient.cls'))
const SECRET = 'whsec-test-only'

/** The body of an Apex method, by name (brace-matched). */
function methodBody(source: string, name: string): string {
  const declaration = source.search(
    new RegExp(`(?:private|public|global)\\s+static\\s+\\w+\\s+${name}\\s*\\(`),
  )
  if (declaration < 0) throw new Error(`no method ${name}`)
  const start = source.indexOf('{', declaration)
  let depth = 0
  for (let i = start; i < source.length; i++) {
    if (source[i] === "'") {
      // Skip the Apex string literal: braces inside it do not count.
      for (i++; i < source.length && source[i] !== "'"; i++) if (source[i] === '\\') i++
    } else if (source[i] === '{') depth++
    else if (source[i] === '}' && --depth === 0) return source.slice(start + 1, i)
  }
  throw new Error(`no method ${name}`)
}

/** Evaluates the `return` of WorkerClient.signatureFormula: Apex string literals joined with `+`, plus `prefix`. */
function apexSignatureFormula(timestamp: string): string {
  const body = methodBody(WORKER_CLIENT, 'signatureFormula')
  expect(body).toMatch(
    /String prefix = EncodingUtil\.base64Encode\(Blob\.valueOf\(timestamp \+ '\.'\)\);/,
  )
  const expression = /return\s+([\s\S]*?);\s*$/.exec(body.trim())?.[1] ?? ''
  const prefix = Buffer.from(`${timestamp}.`, 'utf8').toString('base64')
  return expression
    .split('+')
    .map((part) => part.trim())
    .map((part) => {
      if (part === 'prefix') return prefix
      const literal = /^'((?:\\.|[^'\\])*)'$/.exec(part)
      if (!literal) throw new Error(`unexpected Apex term ${part}`)
      return (literal[1] ?? '').replace(/\\(.)/g, '$1')
    })
    .join('')
}

/** WorkerClient.timestampHeader, checked against its source: unix seconds left-padded to 11 digits. */
function timestampHeader(ms: number): string {
  expect(methodBody(WORKER_CLIENT, 'timestampHeader')).toContain(
    "String.valueOf(now.getTime() / 1000).leftPad(11, '0')",
  )
  return String(Math.floor(ms / 1000)).padStart(11, '0')
}

const contractSignature = (timestamp: string, body: string) =>
  `v1=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`

describe('X-Concord-Signature built by WorkerClient', () => {
  const bodies = [
    '',
    '{"events":[]}',
    '{"events":[{"Quantity__c":12}]}x',
    '{"note":"Zoë ✓ 合同"}',
    'a'.repeat(1000),
  ]

  it.each(bodies.map((body) => [body.slice(0, 30), body]))(
    'equals the contract HMAC of "<timestamp>.<raw body>" for %j',
    (_label, body) => {
      const timestamp = timestampHeader(Date.UTC(2026, 10, 22, 12, 0, 0))
      const header = evaluateHeader(apexSignatureFormula(timestamp), {
        'Concord_Worker.Body': Buffer.from(body, 'utf8'),
        'Concord_Worker.SigningSecret': SECRET,
      })
      expect(header).toBe(contractSignature(timestamp, body))
    },
  )

  it('needs the 11-digit timestamp: with 10 digits the Base64 join would not be exact', () => {
    const tenDigits = String(Math.floor(Date.UTC(2026, 10, 22) / 1000))
    expect(tenDigits).toHaveLength(10)
    expect(() =>
      evaluateHeader(apexSignatureFormula(tenDigits), {
        'Concord_Worker.Body': Buffer.from('{"events":[]}', 'utf8'),
        'Concord_Worker.SigningSecret': SECRET,
      }),
    ).toThrow(/invalid Base64/)
  })

  it('keeps the timestamp parseable as plain unix seconds', () => {
    const timestamp = timestampHeader(Date.UTC(2026, 10, 22, 12, 0, 0))
    expect(timestamp).toBe('01795348800')
    expect(Number(timestamp)).toBe(Date.UTC(2026, 10, 22, 12, 0, 0) / 1000)
  })

  it('escapes "{!" in bodies to the same JSON value', () => {
    expect(methodBody(WORKER_CLIENT, 'inertBody')).toContain("body.replace('{!', '{\\\\u0021')")
    const original = JSON.stringify({ note: 'see {!$Credential.Concord_Worker.SigningSecret}' })
    const inert = original.replaceAll('{!', '{\\u0021')
    expect(inert).not.toContain('{!')
    expect(JSON.parse(inert)).toEqual(JSON.parse(original))
  })
})

describe('credential metadata', () => {
  it('allows header formulas, never body formulas, and no generated Authorization header', () => {
    const named = read(join(DEFAULT, 'namedCredentials', 'Concord_Worker.namedCredential-meta.xml'))
    expect(tag(named, 'allowMergeFieldsInHeader')).toBe('true')
    expect(tag(named, 'allowMergeFieldsInBody')).toBe('false')
    expect(tag(named, 'generateAuthorizationHeader')).toBe('false')
    expect(
      tag(
        read(join(DEFAULT, 'externalCredentials', 'Concord_Worker.externalCredential-meta.xml')),
        'authenticationProtocol',
      ),
    ).toBe('Custom')
  })

  it('holds no secret anywhere in sfdx/', () => {
    const files = filesUnder(SFDX, (name) => /-meta\.xml$|\.cls$|\.trigger$/.test(name))
    for (const file of files) {
      const text = read(file)
      expect(text, file).not.toMatch(
        /<(consumerSecret|certificate|password|parameterValue)>[^<]*(secret|BEGIN|whsec)/i,
      )
      expect(text, file).not.toMatch(/<consumerSecret>|<consumerKey>|<certificate>/)
    }
  })
})
