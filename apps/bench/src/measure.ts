import type { BenchDb } from './db';
import { type Latency, latencyOf, mergeHistograms } from './histogram';
import type { LoadGen } from './loadgen/client';
import {
  cpuMeter,
  cpuSeconds,
  loadAverage,
  rssKiB,
  runqueueWaitSeconds,
  treeCpuSeconds,
} from './proc';

export interface WindowSpec {
  /** Messages per second per conversation; every member receives each one. */
  ratePerRoom: number;
  warmupMs: number;
  windowMs: number;
  drainMs: number;
}

export interface StepResult {
  connections: number;
  offeredDeliveriesPerSec: number;
  offeredMessagesPerSec: number;
  messagesPerSec: number;
  deliveriesPerSec: number;
  latencyMs: Latency;
  latencyByRoomSizeMs: Record<string, Latency>;
  /** Send to the server's reply (for the full stack: to the committed message). */
  ackLatencyMs: Latency;
  persistedPerSec?: number;
  serverCpuPct: number;
  dbCpuPct?: number;
  /**
   * Server CPU per delivery, and per message delivered (deliveries × rooms / connections: the
   * layout's fixed fan-out), in µs: comparable across targets whatever rate each reached.
   */
  serverCpuUsPerDelivery: number | null;
  serverCpuUsPerMessage: number | null;
  /** Postgres CPU (postmaster and backends) per message persisted in the window, µs. */
  dbCpuUsPerMessage?: number | null;
  loadgenCpuPct: number[];
  serverRssKiB: number;
  /** % of the window the server / the load generators sat runnable waiting for a CPU (noise). */
  serverRunqueueWaitPct: number;
  loadgenRunqueueWaitPct: number[];
  /** 1-minute load average at the end of the window (2 cores: above 2 means contention). */
  loadAverage: number;
  /** Deliveries of window messages that had not arrived when the drain gave up. */
  lost: number;
  errors: number;
  errorSamples: string[];
  disconnects: number;
  maxSendLagMs: number;
}

export interface Subject {
  loadgen: LoadGen;
  serverPid: number;
  connections: number;
  rooms: number;
  db: BenchDb | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number) => Math.round(n);
/** CPU seconds per unit in µs; /proc counts in 10 ms ticks, so a few units tell nothing. */
const perUnitUs = (cpuSeconds: number, units: number) =>
  units >= 20 ? Math.round((cpuSeconds * 1e6) / units) : null;

/** Warm up at the rate, measure one window, stop and drain: one point of the curve. */
export async function measureWindow(s: Subject, spec: WindowSpec): Promise<StepResult> {
  const { loadgen } = s;
  await loadgen.broadcast({ cmd: 'start', ratePerRoom: spec.ratePerRoom });
  await sleep(spec.warmupMs);
  await loadgen.broadcast({ cmd: 'mark' });
  const server = cpuMeter(() => cpuSeconds(s.serverPid));
  const serverWait = cpuMeter(() => runqueueWaitSeconds(s.serverPid));
  const loadgenWait = s.loadgen.pids.map((pid) => cpuMeter(() => runqueueWaitSeconds(pid)));
  const database = s.db ? cpuMeter(() => treeCpuSeconds(s.db?.pid ?? -1)) : null;
  const serverCpuBefore = cpuSeconds(s.serverPid);
  const dbCpuBefore = s.db ? treeCpuSeconds(s.db.pid) : 0;
  const persistedBefore = s.db ? await s.db.persisted() : 0;
  const started = performance.now();
  await sleep(spec.windowMs);
  const serverCpuUsed = cpuSeconds(s.serverPid) - serverCpuBefore;
  const dbCpuUsed = s.db ? treeCpuSeconds(s.db.pid) - dbCpuBefore : 0;
  const persistedAfter = s.db ? await s.db.persisted() : 0;
  const seconds = (performance.now() - started) / 1000;
  const serverCpuPct = server();
  const dbCpuPct = database?.();
  const serverRssKiB = rssKiB(s.serverPid);
  const serverRunqueueWaitPct = serverWait();
  const loadgenRunqueueWaitPct = loadgenWait.map((m) => m());
  const parts = await loadgen.stop(spec.drainMs);

  const sum = (pick: (p: (typeof parts)[number]) => number) =>
    parts.reduce((n, p) => n + pick(p), 0);
  const windowSec = Math.max(...parts.map((p) => p.windowMs)) / 1000;
  const sizes = new Set(parts.flatMap((p) => Object.keys(p.latencyByRoomSize)));
  const bySize: Record<string, Latency> = {};
  for (const size of sizes) {
    bySize[size] = latencyOf(mergeHistograms(parts.map((p) => p.latencyByRoomSize[size] ?? '')));
  }
  const deliveries = sum((p) => p.deliveriesInWindow) * (seconds / windowSec);
  const messagesDelivered = s.connections > 0 ? (deliveries * s.rooms) / s.connections : 0;
  const persisted = persistedAfter - persistedBefore;
  return {
    connections: s.connections,
    offeredDeliveriesPerSec: round(spec.ratePerRoom * s.connections),
    offeredMessagesPerSec: round(spec.ratePerRoom * s.rooms),
    messagesPerSec: round(sum((p) => p.sent) / windowSec),
    deliveriesPerSec: round(sum((p) => p.deliveriesInWindow) / windowSec),
    latencyMs: latencyOf(mergeHistograms(parts.map((p) => p.latency))),
    latencyByRoomSizeMs: bySize,
    ackLatencyMs: latencyOf(mergeHistograms(parts.map((p) => p.ack))),
    ...(s.db
      ? {
          persistedPerSec: round(persisted / seconds),
          dbCpuPct,
          dbCpuUsPerMessage: perUnitUs(dbCpuUsed, persisted),
        }
      : {}),
    serverCpuPct,
    serverCpuUsPerDelivery: perUnitUs(serverCpuUsed, deliveries),
    serverCpuUsPerMessage: perUnitUs(serverCpuUsed, messagesDelivered),
    loadgenCpuPct: parts.map((p) => p.cpuPct),
    serverRssKiB,
    serverRunqueueWaitPct,
    loadgenRunqueueWaitPct,
    loadAverage: loadAverage(),
    lost: Math.max(0, sum((p) => p.expected) - sum((p) => p.received)),
    errors: sum((p) => p.errors),
    errorSamples: parts.flatMap((p) => p.errorSamples).slice(0, 3),
    disconnects: sum((p) => p.disconnects),
    maxSendLagMs: Math.max(...parts.map((p) => p.maxSendLagMs)),
  };
}
