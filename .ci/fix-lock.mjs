// Adds lockfile entries for optional platform packages npm left out (this workplace's registry
// mirror holds only the platforms it has served, so `npm install` here cannot resolve, say,
// @rollup/rollup-darwin-arm64 at the current version and drops it; `npm ci` then refuses the lock
// as out of sync). Run it after any `npm install` that changes package-lock.json:
//   node .ci/fix-lock.mjs
// Each stub carries the version the parent asks for plus os/cpu, so npm ci skips it on other
// platforms exactly as it would skip a fully resolved entry.
import { readFileSync, writeFileSync } from 'node:fs'
import { execSync } from 'node:child_process'
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'))
const pk = lock.packages
const added = []
const view = (spec, fields) => { try { return JSON.parse(execSync(`npm view '${spec}' ${fields} --json 2>/dev/null`).toString() || 'null') } catch { return null } }
const resolve = (from, name) => {
  let p = from
  for (;;) {
    const cand = p ? `${p}/node_modules/${name}` : `node_modules/${name}`
    if (pk[cand]) return cand
    if (!p) return undefined
    const i = p.lastIndexOf('/node_modules/')
    p = i === -1 ? '' : p.slice(0, i)
  }
}
for (const [path, entry] of Object.entries({ ...pk })) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const found = resolve(path, name)
    if (found) continue
    let version = range
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range)) {
      const v = view(`${name}@${range}`, 'version')
      version = Array.isArray(v) ? v.at(-1) : v
      if (!version) continue
    }
    const m = view(name, 'os cpu libc') ?? {}
    const at = path ? `${path}/node_modules/${name}` : `node_modules/${name}`
    pk[at] = { version, dev: entry.dev, optional: true, ...(m.os ? { os: m.os } : {}), ...(m.cpu ? { cpu: m.cpu } : {}), ...(m.libc ? { libc: m.libc } : {}) }
    added.push(`${at}@${version}`)
  }
}
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n')
console.log(added.length + ' stubs added'); console.log(added.join('\n'))
