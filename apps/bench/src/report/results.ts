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
}

export interface Results {
  fullStack: Headline & { persistedPerSec: number };
  rawWs: Headline;
  socketIo: Headline;
  trpcBare: Headline;
  ratios: {
    fullStackVsRawWs: number | null;
    fullStackVsSocketIo: number | null;
    fullStackVsTrpcBare: number | null;
  };
  mode: string;
  date: string;
  machine: ReturnType<typeof machine>;
  config: Mode;
  detail: Partial<Record<TargetName, TargetRun>>;
  /** Deliveries per second of server CPU at the saturation window (full stack: + Postgres). */
  efficiency: Partial<Record<TargetName, number>>;
  notes: string[];
}

const empty = (): Headline => ({
  connections: 0,
  deliveriesPerSec: 0,
  latencyMs: { p50: null, p95: null, p99: null },
  rssPerConnectionKiB: 0,
});

function headline(run: TargetRun | undefined): Headline {
  if (!run) return empty();
  return {
    connections: run.connectionsHeld,
    deliveriesPerSec: run.saturation.deliveriesPerSec,
    latencyMs: run.headline.latencyMs,
    rssPerConnectionKiB: run.headline.rssPerConnectionKiB,
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
  return {
    fullStack,
    rawWs,
    socketIo,
    trpcBare,
    ratios: {
      fullStackVsRawWs: ratio(fullStack.deliveriesPerSec, rawWs.deliveriesPerSec),
      fullStackVsSocketIo: ratio(fullStack.deliveriesPerSec, socketIo.deliveriesPerSec),
      fullStackVsTrpcBare: ratio(fullStack.deliveriesPerSec, trpcBare.deliveriesPerSec),
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
    const sat = run.ramp.find((r) => r.deliveriesPerSec === run.saturation.deliveriesPerSec);
    const cpu = sat ? (sat.serverCpuPct + (sat.dbCpuPct ?? 0)) / 100 : 0;
    if (sat && cpu > 0) out[name] = Math.round(sat.deliveriesPerSec / cpu);
  }
  return out;
}
