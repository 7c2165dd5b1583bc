import type { TargetRun } from '../runner';
import { LABELS, TARGETS, type TargetName } from '../targets';
import type { Results } from './results';

const num = (n: number | undefined) => (n === undefined ? '–' : n.toLocaleString('en-US'));

function pad(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}

/** The summary printed at the end of a run: one row per target, then ratios and targets. */
export function table(results: Results): string {
  const rows = [
    [
      'target',
      'conns',
      'sat. deliv/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'RSS/conn KiB',
      'CPU% @sat',
      'starved%',
      'persisted/s',
      'deliv/CPU-s',
      'µs/msg',
      'µs/deliv',
      'pg µs/msg',
      'conn/s',
      'µs/conn',
      'stopped because',
    ],
  ];
  for (const name of TARGETS) {
    const h = results[name];
    const run = results.detail[name] as TargetRun | undefined;
    if (!run) continue;
    const sat = run.ramp.reduce<TargetRun['ramp'][number] | undefined>(
      (b, r) => (!b || r.deliveriesPerSec > b.deliveriesPerSec ? r : b),
      undefined,
    );
    rows.push([
      LABELS[name],
      num(h.connections),
      `${num(h.deliveriesPerSec)}${run.saturation.loadgenBound ? '*' : ''}`,
      String(h.latencyMs.p50 ?? '–'),
      String(h.latencyMs.p95 ?? '–'),
      String(h.latencyMs.p99 ?? '–'),
      String(h.rssPerConnectionKiB),
      sat ? `${sat.serverCpuPct}${sat.dbCpuPct !== undefined ? `+${sat.dbCpuPct}db` : ''}` : '–',
      sat ? String(sat.serverRunqueueWaitPct) : '–',
      name === 'fullStack' || name === 'socketIoPg' ? num(results[name].persistedPerSec) : '',
      String(results.efficiency[name] ?? '–'),
      num(h.serverCpuUsPerMessage ?? undefined),
      num(h.serverCpuUsPerDelivery ?? undefined),
      num(h.dbCpuUsPerMessage ?? undefined),
      num(h.connectsPerSec),
      num(h.connectCpuUsPerConnection ?? undefined),
      run.saturation.stoppedBecause,
    ]);
  }
  const r = results.ratios;
  const lines = [
    pad(rows),
    '',
    "latency: send-to-deliver at half of each target's saturation rate; * = load generator could not keep its schedule (busy or starved of CPU)",
    'deliv/CPU-s: deliveries per second of server CPU (+ Postgres where used) at saturation;',
    '  steadier than raw rates on a shared box, where a target gets whatever CPU is left',
    'µs/msg, µs/deliv: server CPU per message delivered and per delivery at saturation;',
    '  pg µs/msg: Postgres CPU per message persisted; conn/s, µs/conn: connections per second and',
    '  server CPU per connection, last connection step',
    'starved%: share of the saturation window the server waited for a CPU (other load on the machine)',
    `full stack / bare ws: ${r.fullStackVsRawWs ?? '–'}   / Socket.IO: ${r.fullStackVsSocketIo ?? '–'}   / stock tRPC: ${r.fullStackVsTrpcBare ?? '–'}   / Socket.IO + Postgres: ${r.fullStackVsSocketIoPg ?? '–'}  (saturation deliveries/s)`,
    '',
    ...checks(results),
  ];
  return lines.join('\n');
}

/** The issue's targets, reported against this run; never asserted. */
function checks(results: Results): string[] {
  const f = results.fullStack;
  const raw = results.rawWs;
  const sio = results.socketIo;
  const mark = (ok: boolean | null) => (ok === null ? '  ?' : ok ? ' ok' : ' no');
  const known = (...xs: number[]) => xs.every((x) => x > 0);
  const pg = results.socketIoPg;
  return [
    'targets (reported, not asserted):',
    `${mark(f.connections >= 10_000)} 10,000 authenticated connections held (held ${num(f.connections)})`,
    `${mark(known(f.rssPerConnectionKiB, raw.rssPerConnectionKiB) ? f.rssPerConnectionKiB <= 2 * raw.rssPerConnectionKiB : null)} RSS per idle connection ≤ 2× bare ws (${f.rssPerConnectionKiB} vs ${raw.rssPerConnectionKiB} KiB)`,
    `${mark(known(f.deliveriesPerSec, sio.deliveriesPerSec) ? f.deliveriesPerSec >= sio.deliveriesPerSec : null)} saturation ≥ Socket.IO's (${num(f.deliveriesPerSec)} vs ${num(sio.deliveriesPerSec)})`,
    `${mark(known(f.deliveriesPerSec, raw.deliveriesPerSec) ? f.deliveriesPerSec >= 0.6 * raw.deliveriesPerSec : null)} saturation ≥ 0.6× bare ws (${results.ratios.fullStackVsRawWs ?? '–'}×)`,
    `${mark(known(f.deliveriesPerSec, pg.deliveriesPerSec) ? f.deliveriesPerSec >= 2 * pg.deliveriesPerSec : null)} saturation ≥ 2× Socket.IO + Postgres (${results.ratios.fullStackVsSocketIoPg ?? '–'}×)`,
    `${mark(f.latencyMs.p99 === null ? null : f.latencyMs.p99 <= 25)} p99 ≤ 25 ms at half of saturation (${f.latencyMs.p99 ?? '–'} ms)`,
    `${mark(f.persistedPerSec > 0 ? f.persistedPerSec >= 5_000 : null)} ≥ 5,000 messages/s persisted (${num(f.persistedPerSec)})`,
    `${mark(f.connectsPerSec > 0 ? f.connectsPerSec >= 2_000 : null)} ≥ 2,000 new authenticated connections/s (${num(f.connectsPerSec)})`,
  ];
}

export const targetNames = (names: string[]): TargetName[] =>
  names.filter((n): n is TargetName => (TARGETS as string[]).includes(n));
