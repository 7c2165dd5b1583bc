import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Linux /proc readers: the server is measured from outside, the same way for every target. */

const TICKS_PER_SECOND = 100; // USER_HZ; 100 on every Linux this runs on

export function rssKiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * Time the process spent runnable but waiting for a CPU, in seconds (/proc/<pid>/schedstat).
 * On a shared two-core box this is the noise: a server that waits is not slow, it is starved.
 */
export function runqueueWaitSeconds(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  } catch {
    return 0;
  }
}

export function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

/** A process and its direct children (Postgres: the postmaster and its backends). */
export function treeCpuSeconds(pid: number): number {
  let total = cpuSeconds(pid);
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (child > 0 && parentOf(child) === pid) total += cpuSeconds(child);
  }
  return total;
}

/** CPU use between two calls, in % of one core. */
export function cpuMeter(read: () => number) {
  let seconds = read();
  let at = performance.now();
  return () => {
    const nowSeconds = read();
    const now = performance.now();
    const pct = ((nowSeconds - seconds) / ((now - at) / 1000)) * 100;
    seconds = nowSeconds;
    at = now;
    return Math.round(pct);
  };
}

export function machine() {
  const cpu = cpus();
  let loadavg = '';
  try {
    loadavg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {}
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg,
  };
}

/** Waits until a process has been nearly idle for a moment (after connects, presence writes…). */
export async function settle(read: () => number, maxMs: number, idlePct = 15): Promise<void> {
  const meter = cpuMeter(read);
  const until = performance.now() + maxMs;
  let quiet = 0;
  while (performance.now() < until && quiet < 2) {
    await new Promise((r) => setTimeout(r, 250));
    quiet = meter() < idlePct ? quiet + 1 : 0;
  }
}

/** The soft limit on open files: each side of every connection needs one descriptor. */
export function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    return Number(line?.split(/\s{2,}/)[1] ?? Number.POSITIVE_INFINITY);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
