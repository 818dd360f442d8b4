import { inflateRawSync } from 'node:zlib'

/** A zip the Metadata API cannot open: deploy answers it as a failed deploy, never a crash. */
export class BadZip extends Error {}

const EOCD = 0x06054b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50

/**
 * Reads every file of a zip archive (stored or deflated entries, the two kinds the Salesforce
 * CLI's archivers write), by the central directory (PKWARE APPNOTE 4.3.12, 4.3.16).
 * @throws BadZip when the archive is truncated, not a zip, or uses another compression.
 */
export function readZip(data: Buffer): Map<string, Buffer> {
  let end = -1
  for (let i = data.length - 22; i >= Math.max(0, data.length - 65_557); i--)
    if (data.readUInt32LE(i) === EOCD) {
      end = i
      break
    }
  if (end < 0) throw new BadZip('no end of central directory record')
  const count = data.readUInt16LE(end + 10)
  let at = data.readUInt32LE(end + 16)
  const files = new Map<string, Buffer>()
  for (let n = 0; n < count; n++) {
    if (at + 46 > data.length || data.readUInt32LE(at) !== CENTRAL)
      throw new BadZip(`central directory entry ${n} is damaged`)
    const method = data.readUInt16LE(at + 10)
    const size = data.readUInt32LE(at + 20)
    const nameLength = data.readUInt16LE(at + 28)
    const skip = nameLength + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32)
    const local = data.readUInt32LE(at + 42)
    const name = data.subarray(at + 46, at + 46 + nameLength).toString('utf8')
    at += 46 + skip
    if (name.endsWith('/')) continue
    if (local + 30 > data.length || data.readUInt32LE(local) !== LOCAL)
      throw new BadZip(`${name}: local header is damaged`)
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28)
    const raw = data.subarray(start, start + size)
    if (raw.length !== size) throw new BadZip(`${name}: truncated`)
    if (method === 0) files.set(name, Buffer.from(raw))
    else if (method === 8) {
      try {
        files.set(name, inflateRawSync(raw))
      } catch {
        throw new BadZip(`${name}: the deflated data is damaged`)
      }
    } else throw new BadZip(`${name}: compression method ${method} is not supported`)
  }
  return files
}
