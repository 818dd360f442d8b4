import { describe, expect, it } from 'vitest'
import { csvField, toCsv } from '../../../worker/lib/csv.ts'

describe('toCsv', () => {
  it('writes CRLF records and quotes fields with commas, quotes and line breaks', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          ['line\nbreak', 3],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",3\r\n')
  })

  it('guards text a spreadsheet would run as a formula, whatever its first character', () => {
    expect(csvField('=SUM(A1:A9)')).toBe("'=SUM(A1:A9)")
    expect(csvField('+1')).toBe("'+1")
    expect(csvField('-2+3')).toBe("'-2+3")
    expect(csvField('@cmd')).toBe("'@cmd")
    expect(csvField('\t=1')).toBe("'\t=1")
    expect(csvField('=HYPERLINK("u","x")')).toBe(`"'=HYPERLINK(""u"",""x"")"`)
  })

  it('writes numbers as numbers (a negative amount stays a number) and nothing for null', () => {
    expect(csvField(-1500)).toBe('-1500')
    expect(csvField(null)).toBe('')
    expect(csvField(undefined)).toBe('')
    expect(csvField('plain')).toBe('plain')
  })
})
