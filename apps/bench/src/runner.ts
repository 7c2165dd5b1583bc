import type { Mode } from './config';
import type { BenchDb } from './db';
import type { Latency } from './histogram';
import { type Layout, roomsBetween } from './layout';
import { LoadGen } from './loadgen/client';
import type { RoomSpec } from './loadgen/messages';
import { measureWindow, type StepResult, type Subject } from './measure';
import { cpuSeconds, rssKiB, settle } from './proc';
import type { Progress } from './progress';
import { ramp } from './ramp';
import { LABELS, PROTOCOL, type RunningServer, type TargetName } from './targets';

export interface ConnectionStep extends StepResult {
  rssPerConnectionKiB: number;
  connectMs: number;
  connectFailures: number;
}

export interface TargetRun {
  name: TargetName;
  idleRssKiB: number;
  connectionsHeld: number;
  steps: ConnectionStep[];
  ramp: StepResult[];
  half: StepResult | null;
  saturation: {
    deliveriesPerSec: number;
    persistedPerSec?: number;
    stoppedBecause: string;
    loadgenBound: boolean;
  };
  headline: { latencyMs: Pick<Latency, 'p50' | 'p95' | 'p99'>; rssPerConnectionKiB: number };
  errors: string[];
}

export interface RunContext {
  mode: Mode;
  layout: Layout;
  /** Per user, for the full stack; null for targets without auth. */
  tokens: string[] | null;
  db: BenchDb | null;
  loadgenProcs: number;
  progress: Progress;
}

export const unitsPerTarget = (mode: Mode) => 1 + mode.steps.length + mode.ramp.maxSteps + 2;

/** Connection steps, then the saturation ramp at the last step, then latency at half of it. */
export async function runTarget(server: RunningServer, ctx: RunContext): Promise<TargetRun> {
  const { mode, progress } = ctx;
  const label = LABELS[server.name];
  const began = performance.now();
  const loadgen = new LoadGen(ctx.loadgenProcs);
  const run: TargetRun = {
    name: server.name,
    idleRssKiB: 0,
    connectionsHeld: 0,
    steps: [],
    ramp: [],
    half: null,
    saturation: { deliveriesPerSec: 0, stoppedBecause: 'not run', loadgenBound: false },
    headline: { latencyMs: { p50: 0, p95: 0, p99: 0 }, rssPerConnectionKiB: 0 },
    errors: [],
  };
  const quiet = (maxMs: number) => settle(() => cpuSeconds(server.pid), maxMs);
  try {
    progress.status(`${label}: idle`);
    await quiet(5_000);
    run.idleRssKiB = rssKiB(server.pid);
    progress.advance();

    let held = 0;
    let rooms = 0;
    const subject = (): Subject => ({
      loadgen,
      serverPid: server.pid,
      connections: held,
      rooms,
      db: ctx.db,
    });
    for (const target of mode.steps) {
      progress.status(`${label}: connecting ${held} → ${target}`);
      const fresh = roomsBetween(ctx.layout, held, target);
      const specs: RoomSpec[] = fresh.map((r) => ({
        id: r.id,
        tokens: r.members.map((m) => ctx.tokens?.[m] ?? ''),
      }));
      const connected = await loadgen.connect(
        PROTOCOL[server.name],
        server.url,
        specs,
        mode.connectConcurrency,
      );
      if (connected.failed > 0)
        run.errors.push(
          `${connected.failed} connections failed at ${target}: ${connected.errors.join('; ')}`,
        );
      held += connected.connected;
      rooms += fresh.length;
      progress.status(`${label}: ${held} connections, priming`);
      const primed = await loadgen.prime(20_000);
      if (primed.unprimed > 0)
        run.errors.push(`${primed.unprimed} rooms never received a message at ${target}`);
      await quiet(10_000);
      const rss = rssKiB(server.pid);
      progress.status(
        `${label}: ${held} connections at ${mode.stepRatePerRoom} msg/s per conversation`,
      );
      const result = await measureWindow(subject(), {
        ratePerRoom: mode.stepRatePerRoom,
        ...mode.window,
      });
      run.steps.push({
        ...result,
        serverRssKiB: rss,
        rssPerConnectionKiB: held > 0 ? Math.round(((rss - run.idleRssKiB) / held) * 10) / 10 : 0,
        connectMs: connected.ms,
        connectFailures: connected.failed,
      });
      run.connectionsHeld = held;
      progress.advance();
    }
    run.headline.rssPerConnectionKiB = run.steps.at(-1)?.rssPerConnectionKiB ?? 0;

    await ramp(run, subject(), ctx, label, began);
    const best = run.saturation.deliveriesPerSec;
    if (best > 0 && held > 0) {
      progress.status(`${label}: draining, then latency at half of ${best} deliveries/s`);
      await quiet(15_000);
      run.half = await measureWindow(subject(), { ratePerRoom: best / 2 / held, ...mode.window });
      const { p50, p95, p99 } = run.half.latencyMs;
      run.headline.latencyMs = { p50, p95, p99 };
    }
    progress.advance();
  } catch (error) {
    run.errors.push(String((error as Error).stack ?? error));
    progress.note(`${label} failed: ${(error as Error).message}`);
  } finally {
    await loadgen.close();
  }
  return run;
}
