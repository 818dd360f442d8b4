import { createHash, createHmac } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { signRequest } from '../../worker/lib/signature.ts'
import { evaluateHeader } from './formula.ts'
import { DEFAULT, ROOT, SFDX, filesUnder, read, tag } from './project.ts'

const WORKER_CLIENT = read(join(DEFAULT, 'classes', 'worker', 'WorkerClient.cls'))
const WORKER_CLIENT_TESTS = read(join(DEFAULT, 'classes', 'worker', 'WorkerClient_Tests.cls'))
const RESOURCES = join(DEFAULT, 'staticresources')
const VECTORS_FILE = join(RESOURCES, 'ConcordSignatureVectors.json')

interface Vector {
  name: string
  secret: string
  timestamp: string
  nonce: string
  method: string
  path: string
  body: string
  bodySha256: string
  canonical: string
  signature: string
}
const { vectors } = JSON.parse(read(VECTORS_FILE)) as { vectors: Vector[] }

/** The body of an Apex method, by name (brace-matched). */
function methodBody(source: string, name: string): string {
  const declaration = source.search(
    new RegExp(`(?:private|public|global)\\s+static\\s+\\w+\\s+${name}\\s*\\(`),
  )
  if (declaration < 0) throw new Error(`no method ${name}`)
  const start = source.indexOf('{', source.indexOf(')', declaration))
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

const APEX_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t' }

/**
 * Evaluates the `return` of an Apex method that joins string literals and variables with `+`
 * (Apex escapes: `\n`, `\r`, `\t`, and `\x` for any other x).
 */
function apexReturn(name: string, vars: Record<string, string>): string {
  const expression = /return\s+([\s\S]*?);\s*$/.exec(methodBody(WORKER_CLIENT, name).trim())?.[1]
  if (!expression) throw new Error(`no return in ${name}`)
  const terms = expression.match(/'(?:\\.|[^'\\])*'|[^\s+]+/g) ?? []
  return terms
    .map((term) => {
      if (term.startsWith("'"))
        return term.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => APEX_ESCAPES[c] ?? c)
      const value = vars[term]
      if (value === undefined) throw new Error(`unexpected Apex term ${term} in ${name}`)
      return value
    })
    .join('')
}

/** WorkerClient.canonicalPrefix, evaluated from its source. */
const apexPrefix = (v: Pick<Vector, 'timestamp' | 'nonce' | 'method' | 'path'>) =>
  apexReturn('canonicalPrefix', { ...v })

/** WorkerClient.signatureFormula, evaluated from its source. */
function apexSignatureFormula(prefix: string): string {
  expect(methodBody(WORKER_CLIENT, 'signatureFormula')).toMatch(
    /String encodedPrefix = EncodingUtil\.base64Encode\(Blob\.valueOf\(prefix\)\);/,
  )
  const encodedPrefix = Buffer.from(prefix, 'utf8').toString('base64')
  return apexReturn('signatureFormula', { encodedPrefix })
}

/** WorkerClient.alignedNonce, checked against its source: 32 to 34 digits, prefix % 3 == 0. */
function apexAlignedNonce(randomHex: string, v: Omit<Parameters<typeof apexPrefix>[0], 'nonce'>) {
  const body = methodBody(WORKER_CLIENT, 'alignedNonce')
  expect(WORKER_CLIENT).toContain('private static final Integer NONCE_LENGTH = 32;')
  expect(body).toContain('String shortest = randomHex.left(NONCE_LENGTH);')
  expect(body).toContain(
    'return randomHex.left(NONCE_LENGTH + Math.mod(3 - Math.mod(size, 3), 3));',
  )
  const size = Buffer.byteLength(apexPrefix({ ...v, nonce: randomHex.slice(0, 32) }))
  return randomHex.slice(0, 32 + ((3 - (size % 3)) % 3))
}

const credentials = (v: Vector) => ({
  'Concord_Worker.Body': Buffer.from(v.body, 'utf8'),
  'Concord_Worker.SigningSecret': v.secret,
})

describe('the v2 test vectors (static resource ConcordSignatureVectors)', () => {
  it('cover both methods, a query, an empty and a multi-byte body, and two secrets', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(6)
    expect(new Set(vectors.map((v) => v.method))).toEqual(new Set(['GET', 'POST']))
    expect(vectors.some((v) => v.path.includes('?'))).toBe(true)
    expect(vectors.some((v) => v.body === '')).toBe(true)
    expect(vectors.some((v) => Buffer.byteLength(v.body) > v.body.length)).toBe(true)
    expect(new Set(vectors.map((v) => v.secret)).size).toBe(2)
  })

  it.each(vectors.map((v) => [v.name, v]))(
    'agree with the documented canonical string: %s',
    (_name, v) => {
      const bodySha256 = createHash('sha256').update(v.body, 'utf8').digest('hex')
      expect(v.bodySha256).toBe(bodySha256)
      expect(v.canonical).toBe([v.timestamp, v.nonce, v.method, v.path, bodySha256].join('\n'))
      expect(v.signature).toBe(createHmac('sha256', v.secret).update(v.canonical).digest('hex'))
    },
  )

  it.each(vectors.map((v) => [v.name, v]))(
    "agree with the worker's signRequest: %s",
    async (_name, v) => {
      const headers = await signRequest(
        v.secret,
        { method: v.method, target: v.path, body: v.body },
        { timestamp: v.timestamp, nonce: v.nonce },
      )
      expect(headers['X-Concord-Signature']).toBe(`v2=${v.signature}`)
    },
  )

  it('are the file the worker tests read and the file the Apex test queries', () => {
    const workerTest = read(join(ROOT, 'test', 'worker', 'lib', 'signature.test.ts'))
    expect(workerTest).toContain(
      "from '../../../sfdx/main/default/staticresources/ConcordSignatureVectors.json'",
    )
    expect(WORKER_CLIENT_TESTS).toContain("WHERE Name = 'ConcordSignatureVectors'")
    const meta = read(join(RESOURCES, 'ConcordSignatureVectors.resource-meta.xml'))
    expect(tag(meta, 'contentType')).toBe('application/json')
    expect(filesUnder(RESOURCES, () => true).map((f) => f.slice(RESOURCES.length + 1))).toEqual([
      'ConcordSignatureVectors.json',
      'ConcordSignatureVectors.resource-meta.xml',
    ])
  })
})

describe('X-Concord-Signature built by WorkerClient', () => {
  it.each(vectors.map((v) => [v.name, v]))(
    'equals the vector signature when the platform evaluates the formula: %s',
    (_name, v) => {
      const prefix = apexPrefix(v)
      expect(prefix + v.bodySha256).toBe(v.canonical)
      const header = evaluateHeader(apexSignatureFormula(prefix), credentials(v))
      expect(header).toBe(`v2=${v.signature}`)
    },
  )

  it.each(vectors.map((v) => [v.name, v]))(
    'draws the nonce length Apex would for the vector: %s',
    (_name, v) => {
      expect(apexAlignedNonce(`${v.nonce}00`, v)).toBe(v.nonce)
    },
  )

  it('aligns every prefix to 3 bytes with a nonce of 32 to 34 digits', () => {
    const random = createHash('sha256').update('nonce').digest('hex')
    const lengths = new Set<number>()
    for (const path of ['/v1/catalog?x', '/v1/catalog?xy', '/v1/catalog?xyz']) {
      const v = { timestamp: '1795348800', method: 'GET', path }
      const nonce = apexAlignedNonce(random, v)
      expect(Buffer.byteLength(apexPrefix({ ...v, nonce })) % 3).toBe(0)
      lengths.add(nonce.length)
    }
    expect(lengths).toEqual(new Set([32, 33, 34]))
  })

  it('needs the aligned nonce: with an unaligned prefix the Base64 join would not be exact', () => {
    const v = vectors[0] as Vector
    const unaligned = apexPrefix({ ...v, nonce: `${v.nonce}0` })
    expect(Buffer.byteLength(unaligned) % 3).not.toBe(0)
    expect(() => evaluateHeader(apexSignatureFormula(unaligned), credentials(v))).toThrow(
      /invalid Base64/,
    )
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
