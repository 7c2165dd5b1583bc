import { LABELS, TARGETS } from '../targets';
import type { Results } from './results';

const COLORS = {
  rawWs: '#2b8a3e',
  socketIo: '#1971c2',
  trpcBare: '#e8590c',
  socketIoPg: '#6741d9',
  fullStack: '#c2255c',
} as const;
const W = 880;
const H = 500;
const M = { left: 70, right: 230, top: 50, bottom: 60 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Decade ticks with 2 and 5 in between, covering [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}

const short = (v: number) => (v >= 1000 ? `${v / 1000}k` : String(v));

/**
 * p99 send-to-deliver latency against offered load, log-log, one line per target: the
 * ramp windows plus the half-saturation window. Hand-written SVG, no dependencies.
 */
export function chart(results: Results): string {
  const series = TARGETS.map((name) => {
    const run = results.detail[name];
    const windows = run ? [...run.ramp, ...(run.half ? [run.half] : [])] : [];
    const points = windows
      .filter((w) => w.latencyMs.count > 0)
      .map((w) => ({ x: w.offeredDeliveriesPerSec, y: Math.max(0.1, w.latencyMs.p99) }))
      .sort((a, b) => a.x - b.x);
    return { name, points };
  });
  const all = series.flatMap((s) => s.points);
  const xLo = 10 ** Math.floor(Math.log10(Math.min(...all.map((p) => p.x), 1000)));
  const xHi = 10 ** Math.ceil(Math.log10(Math.max(...all.map((p) => p.x), 10_000)));
  const yLo = 10 ** Math.floor(Math.log10(Math.min(...all.map((p) => p.y), 1)));
  const yHi = 10 ** Math.ceil(Math.log10(Math.max(...all.map((p) => p.y), 100)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) =>
    M.left + ((Math.log10(x) - Math.log10(xLo)) / (Math.log10(xHi) - Math.log10(xLo))) * pw;
  const sy = (y: number) =>
    M.top + ph - ((Math.log10(y) - Math.log10(yLo)) / (Math.log10(yHi) - Math.log10(yLo))) * ph;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="22" font-size="15" font-weight="600">p99 send-to-deliver latency vs offered load</text>`,
    `<text x="${M.left}" y="38" fill="#555">${esc(`${results.mode} run, ${results.date.slice(0, 16)}Z, ${results.machine.cores}× ${results.machine.cpuModel}, node ${results.machine.node}`)}</text>`,
  ];
  for (const x of ticks(xLo, xHi)) {
    out.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${M.top}" y2="${M.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${sx(x)}" y="${M.top + ph + 16}" text-anchor="middle">${short(x)}</text>`);
  }
  for (const y of ticks(yLo, yHi)) {
    out.push(
      `<line x1="${M.left}" x2="${M.left + pw}" y1="${sy(y)}" y2="${sy(y)}" stroke="#eee"/>`,
    );
    out.push(`<text x="${M.left - 6}" y="${sy(y) + 4}" text-anchor="end">${short(y)}</text>`);
  }
  if (50 >= yLo && 50 <= yHi) {
    out.push(
      `<line x1="${M.left}" x2="${M.left + pw}" y1="${sy(50)}" y2="${sy(50)}" stroke="#888" stroke-dasharray="5 4"/>`,
    );
    out.push(
      `<text x="${M.left + pw - 4}" y="${sy(50) - 4}" text-anchor="end" fill="#666">50 ms target</text>`,
    );
  }
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
  );
  out.push(
    `<text x="${M.left + pw / 2}" y="${H - 18}" text-anchor="middle">offered load (deliveries/s, log)</text>`,
  );
  out.push(
    `<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">p99 latency (ms, log)</text>`,
  );
  series.forEach(({ name, points }, i) => {
    const color = COLORS[name];
    if (points.length > 0) {
      const d = points
        .map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`)
        .join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
      for (const p of points)
        out.push(
          `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${color}"/>`,
        );
    }
    const ly = M.top + 10 + i * 22;
    const sat = results[name].deliveriesPerSec;
    out.push(
      `<line x1="${M.left + pw + 14}" x2="${M.left + pw + 34}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
    );
    out.push(
      `<text x="${M.left + pw + 40}" y="${ly + 4}">${esc(LABELS[name])} (${short(Math.round(sat / 100) * 100)}/s)</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
