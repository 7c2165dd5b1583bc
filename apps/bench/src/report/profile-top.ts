import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: Node[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface Hotspot {
  selfPct: number;
  selfMs: number;
  fn: string;
  where: string;
}

/** Self time per function (summed over call sites) from a V8 .cpuprofile, highest first. */
export function topSelfTime(
  file: string,
  limit = 25,
): { totalMs: number; idleMs: number; top: Hotspot[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0));
  }
  const totals = new Map<string, Hotspot>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    // Idle time says nothing about where work goes: percentages are of busy time.
    if (node.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = functionName || '(anonymous)';
    const where = url ? locate(url, lineNumber + 1) : '';
    const key = `${fn}@${where}`;
    const entry = totals.get(key) ?? { selfPct: 0, selfMs: 0, fn, where };
    entry.selfMs += us / 1000;
    totals.set(key, entry);
  }
  const top = [...totals.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, limit)
    .map((h) => ({
      ...h,
      selfMs: Math.round(h.selfMs),
      selfPct: Math.round((h.selfMs / (total / 1000)) * 1000) / 10,
    }));
  return { totalMs: Math.round(total / 1000), idleMs: Math.round(idle / 1000), top };
}

const headers = new Map<string, { line: number; path: string }[]>();

/**
 * A position in a bundle (apps/ws/dist/*.js) named by its source file: esbuild heads each
 * module with a `// <path>` comment, so the last header above a line names its file.
 */
function locate(url: string, line: number): string {
  const path = url.replace(/^file:\/\//, '');
  if (!/\/dist\/[^/]+\.js$/.test(path)) return `${shorten(url)}:${line}`;
  let list = headers.get(path);
  if (!list) {
    list = [];
    try {
      const lines = readFileSync(path, 'utf8').split('\n');
      lines.forEach((text, i) => {
        const m = /^\/\/ (\S+\.(?:ts|tsx|js|mjs|cjs|json))$/.exec(text);
        if (m?.[1]) list?.push({ line: i + 1, path: m[1] });
      });
    } catch {}
    headers.set(path, list);
  }
  let source: string | undefined;
  for (const h of list) {
    if (h.line > line) break;
    source = h.path;
  }
  return source ? `${shorten(source)} (${shorten(url)}:${line})` : `${shorten(url)}:${line}`;
}

/** node_modules/.pnpm/<pkg>/node_modules/<name>/x.js → <name>/x.js */
function shorten(url: string): string {
  const path = url.replace(/^file:\/\//, '').replace(/^(\.\.\/)+/, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  const apps = path.indexOf('/apps/');
  const pkgs = path.indexOf('/packages/');
  const at = [apps, pkgs].filter((i) => i >= 0).sort((a, b) => a - b)[0];
  return at === undefined ? path : path.slice(at + 1);
}

export function formatTop(file: string, limit = 25): string {
  const { totalMs, idleMs, top } = topSelfTime(file, limit);
  const lines = [
    `${basename(file)}: ${totalMs} ms busy (+${idleMs} ms idle); top self time, % of busy:`,
  ];
  for (const h of top)
    lines.push(
      `${String(h.selfPct).padStart(6)}%  ${String(h.selfMs).padStart(7)} ms  ${h.fn}  ${h.where}`,
    );
  return lines.join('\n');
}

// `pnpm --filter @estuary/bench profile:top <file.cpuprofile> [limit]`
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, limit] = process.argv.slice(2);
  if (!file) {
    console.error('usage: profile-top <file.cpuprofile> [limit]');
    process.exit(2);
  }
  console.log(formatTop(file, Number(limit ?? 25)));
}
