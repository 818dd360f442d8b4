/**
 * A minimal evaluator of the named-credential formula functions Concord uses, following the
 * documented signatures (BASE64DECODE String→Blob, BASE64ENCODE Blob→String, BLOB String→Blob,
 * HASH('SHA-256', Blob)→Blob, HEX Blob→lower-case String, HMAC('SHA-256', Blob, Blob)→Blob, `&`
 * joins Strings). It is a model
 * for testing the formula the Apex builds, not Salesforce itself: BASE64DECODE is strict (a
 * padding character in the middle is an error), which is the behaviour Concord must not rely on.
 */
import { createHash, createHmac } from 'node:crypto'

export type FormulaValue = string | Buffer
export type Credentials = Record<string, FormulaValue>

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function expectString(value: FormulaValue, fn: string): string {
  if (typeof value !== 'string') throw new Error(`${fn} expects a String`)
  return value
}

function expectBlob(value: FormulaValue, fn: string): Buffer {
  if (!Buffer.isBuffer(value)) throw new Error(`${fn} expects a Blob`)
  return value
}

const FUNCTIONS: Record<string, (args: FormulaValue[]) => FormulaValue> = {
  BLOB: ([v]) => Buffer.from(expectString(v ?? '', 'BLOB'), 'utf8'),
  HEX: ([v]) => expectBlob(v ?? '', 'HEX').toString('hex'),
  BASE64ENCODE: ([v]) => expectBlob(v ?? '', 'BASE64ENCODE').toString('base64'),
  BASE64DECODE: ([v]) => {
    const text = expectString(v ?? '', 'BASE64DECODE')
    if (!BASE64.test(text)) throw new Error('BASE64DECODE: invalid Base64')
    return Buffer.from(text, 'base64')
  },
  HASH: ([algorithm, value]) => {
    if (algorithm !== 'SHA-256') throw new Error('HASH: only SHA-256 is supported')
    return createHash('sha256')
      .update(expectBlob(value ?? '', 'HASH'))
      .digest()
  },
  HMAC: ([algorithm, value, key]) => {
    if (algorithm !== 'SHA-256') throw new Error('HMAC: only SHA-256 is supported')
    return createHmac('sha256', expectBlob(key ?? '', 'HMAC'))
      .update(expectBlob(value ?? '', 'HMAC'))
      .digest()
  },
}

class Parser {
  private pos = 0
  private readonly text: string
  private readonly credentials: Credentials

  constructor(text: string, credentials: Credentials) {
    this.text = text
    this.credentials = credentials
  }

  parse(): FormulaValue {
    const value = this.concat()
    this.skip()
    if (this.pos !== this.text.length) throw new Error(`unexpected "${this.text.slice(this.pos)}"`)
    return value
  }

  private skip(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos++
  }

  private concat(): FormulaValue {
    let value = this.term()
    for (this.skip(); this.text[this.pos] === '&'; this.skip()) {
      this.pos++
      value = expectString(value, '&') + expectString(this.term(), '&')
    }
    return value
  }

  private term(): FormulaValue {
    this.skip()
    const rest = this.text.slice(this.pos)
    const literal = /^'((?:\\.|[^'\\])*)'/.exec(rest)
    if (literal) {
      this.pos += literal[0].length
      return (literal[1] ?? '').replace(/\\(.)/g, '$1')
    }
    const credential = /^\$Credential\.(\w+)\.(\w+)/.exec(rest)
    if (credential) {
      this.pos += credential[0].length
      const value = this.credentials[`${credential[1]}.${credential[2]}`]
      if (value === undefined) throw new Error(`no credential ${credential[1]}.${credential[2]}`)
      return value
    }
    const call = /^([A-Z0-9]+)\s*\(/.exec(rest)
    if (call) {
      this.pos += call[0].length
      const args: FormulaValue[] = []
      for (;;) {
        this.skip()
        if (this.text[this.pos] === ')') break
        args.push(this.concat())
        this.skip()
        if (this.text[this.pos] === ',') this.pos++
      }
      this.pos++
      const fn = FUNCTIONS[call[1] ?? '']
      if (!fn) throw new Error(`unsupported function ${call[1]}`)
      return fn(args)
    }
    throw new Error(`cannot parse "${rest}"`)
  }
}

/** Replaces every `{!formula}` in a header value by its evaluated String. */
export function evaluateHeader(value: string, credentials: Credentials): string {
  return value.replace(/\{!([\s\S]*?)\}(?![^{]*\))/g, (_match, formula: string) =>
    expectString(new Parser(formula, credentials).parse(), 'header'),
  )
}
