import type { Mode } from '../config';
import type { machine } from '../proc';
import type { TargetRun } from '../runner';
import type { TargetName } from '../targets';

export interface Headline {
  connections: number;
  deliveriesPerSec: number;
  /** null when the half-rate window received nothing it sent (server still backlogged). */
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  rssPerConnectionKiB: number;
  /** At the saturation window: server CPU per message delivered and per delivery, µs. */
  serverCpuUsPerMessage: number | null;
  serverCpuUsPerDelivery: number | null;
  /** Postgres CPU per message persisted at the saturation window, µs (targets with a database). */
  dbCpuUsPerMessage: number | null;
  /** Connections per second during the largest connection step, and server CPU per connection. */
  connectsPerSec: number;
  connectCpuUsPerConnection: number | null;
}

export interface Results {
  fullStack: Headline & { persistedPerSec: number };
  rawWs: Headline;
  socketIo: Headline;
  trpcBare: Headline;
  socketIoPg: Headline & { persistedPerSec: number };
  ratios: {
    fullStackVsRawWs: number | null;
    fullStackVsSocketIo: number | null;
    fullStackVsTrpcBare: number | null;
    fullStackVsSocketIoPg: number | null;
  };
  mode: string;
  date: string;
  machine: ReturnType<typeof machine>;
  config: Mode;
  detail: Partial<Record<TargetName, TargetRun>>;
  /** Deliveries per second of server CPU at the saturation window (+ Postgres where one is used). */
  efficiency: Partial<Record<TargetName, number>>;
  notes: string[];
}

const empty = (): Headline => ({
  connections: 0,
  deliveriesPerSec: 0,
  latencyMs: { p50: null, p95: null, p99: null },
  rssPerConnectionKiB: 0,
  serverCpuUsPerMessage: null,
  serverCpuUsPerDelivery: null,
  dbCpuUsPerMessage: null,
  connectsPerSec: 0,
  connectCpuUsPerConnection: null,
});

/** The window saturation was read from (the most deliveries/s). */
export function saturationWindow(run: TargetRun) {
  return run.ramp.find((r) => r.deliveriesPerSec === run.saturation.deliveriesPerSec);
}

function headline(run: TargetRun | undefined): Headline {
  if (!run) return empty();
  const sat = saturationWindow(run);
  return {
    connections: run.connectionsHeld,
    deliveriesPerSec: run.saturation.deliveriesPerSec,
    latencyMs: run.headline.latencyMs,
    rssPerConnectionKiB: run.headline.rssPerConnectionKiB,
    serverCpuUsPerMessage: sat?.serverCpuUsPerMessage ?? null,
    serverCpuUsPerDelivery: sat?.serverCpuUsPerDelivery ?? null,
    dbCpuUsPerMessage: sat?.dbCpuUsPerMessage ?? null,
    connectsPerSec: run.steps.at(-1)?.connectsPerSec ?? 0,
    connectCpuUsPerConnection: run.steps.at(-1)?.connectCpuUsPerConnection ?? null,
  };
}

const ratio = (a: number, b: number) => (a > 0 && b > 0 ? Math.round((a / b) * 100) / 100 : null);

export function assemble(
  runs: Partial<Record<TargetName, TargetRun>>,
  mode: Mode,
  info: ReturnType<typeof machine>,
  notes: string[],
): Results {
  const fullStack = {
    ...headline(runs.fullStack),
    persistedPerSec: runs.fullStack?.saturation.persistedPerSec ?? 0,
  };
  const rawWs = headline(runs.rawWs);
  const socketIo = headline(runs.socketIo);
  const trpcBare = headline(runs.trpcBare);
  const socketIoPg = {
    ...headline(runs.socketIoPg),
    persistedPerSec: runs.socketIoPg?.saturation.persistedPerSec ?? 0,
  };
  return {
    fullStack,
    rawWs,
    socketIo,
    trpcBare,
    socketIoPg,
    ratios: {
      fullStackVsRawWs: ratio(fullStack.deliveriesPerSec, rawWs.deliveriesPerSec),
      fullStackVsSocketIo: ratio(fullStack.deliveriesPerSec, socketIo.deliveriesPerSec),
      fullStackVsTrpcBare: ratio(fullStack.deliveriesPerSec, trpcBare.deliveriesPerSec),
      fullStackVsSocketIoPg: ratio(fullStack.deliveriesPerSec, socketIoPg.deliveriesPerSec),
    },
    mode: mode.name,
    date: new Date().toISOString(),
    machine: info,
    config: mode,
    efficiency: efficiency(runs),
    detail: runs,
    notes,
  };
}

function efficiency(
  runs: Partial<Record<TargetName, TargetRun>>,
): Partial<Record<TargetName, number>> {
  const out: Partial<Record<TargetName, number>> = {};
  for (const [name, run] of Object.entries(runs) as [TargetName, TargetRun][]) {
    const sat = saturationWindow(run);
    const cpu = sat ? (sat.serverCpuPct + (sat.dbCpuPct ?? 0)) / 100 : 0;
    if (sat && cpu > 0) out[name] = Math.round(sat.deliveriesPerSec / cpu);
  }
  return out;
}
