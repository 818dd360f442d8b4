import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

/**
 * CPU time of the worker's processes, read from `/proc/<pid>/stat` (user + system time, in clock
 * ticks): unlike wall-clock figures it does not depend on what else the machine runs, so per
 * event it says what one event costs and how many a core could take (1 / CPU per event).
 * Linux only; elsewhere every reading is empty.
 */

/** CPU seconds per process name (`workerd`, `node` for wrangler itself), and this process's. */
export interface CpuReading {
  byName: Record<string, number>
  /** How many processes of each name the group had (wrangler dev runs two workerd). */
  processes?: Record<string, number>
  /** CPU seconds per process, as `name:pid` (which workerd is wrangler's proxy, which the worker). */
  byProcess?: Record<string, number>
  /** This process: the emulators and the sender. */
  bench: number
}

let ticks: number | undefined
function ticksPerSecond(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticks = 100
    }
  }
  return ticks
}

/** Every live process of group `pgid`, by name, with its CPU seconds so far. */
export function readCpu(pgid: number | undefined): CpuReading {
  const byName: Record<string, number> = {}
  const processes: Record<string, number> = {}
  const byProcess: Record<string, number> = {}
  const usage = process.cpuUsage()
  const bench = (usage.user + usage.system) / 1e6
  if (pgid === undefined) return { byName, bench }
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return { byName, bench }
  }
  for (const pid of pids) {
    let stat: string
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    } catch {
      continue // Gone meanwhile.
    }
    const close = stat.lastIndexOf(')')
    const name = stat.slice(stat.indexOf('(') + 1, close)
    // Fields after the name: state, ppid, pgrp, …, utime (the 12th), stime (the 13th).
    const f = stat.slice(close + 2).split(' ')
    if (Number(f[2]) !== pgid) continue
    const seconds = (Number(f[11]) + Number(f[12])) / ticksPerSecond()
    byName[name] = (byName[name] ?? 0) + seconds
    byProcess[`${name}:${pid}`] = seconds
    processes[name] = (processes[name] ?? 0) + 1
  }
  return { byName, processes, byProcess, bench }
}

/** CPU seconds spent between two readings, per process name and in this process. */
export function cpuBetween(a: CpuReading, b: CpuReading): CpuReading {
  const byName: Record<string, number> = {}
  for (const [name, s] of Object.entries(b.byName))
    byName[name] = Math.max(0, s - (a.byName[name] ?? 0))
  const byProcess: Record<string, number> = {}
  for (const [p, s] of Object.entries(b.byProcess ?? {}))
    byProcess[p] = Math.max(0, s - (a.byProcess?.[p] ?? 0))
  return { byName, processes: b.processes, byProcess, bench: b.bench - a.bench }
}

/** Milliseconds of CPU per unit of work (undefined without any). */
export function cpuMsPer(seconds: number | undefined, units: number): number | undefined {
  return seconds === undefined || units === 0 ? undefined : (seconds * 1000) / units
}
