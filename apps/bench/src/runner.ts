import type { Mode } from './config';
import type { BenchDb } from './db';
import { type Layout, roomsBetween } from './layout';
import type { LoadGen } from './loadgen/client';
import type { RoomSpec } from './loadgen/messages';
import { measureWindow, type StepResult, type Subject } from './measure';
import { cpuSeconds, rssKiB, settle } from './proc';
import type { Progress } from './progress';
import { ramp } from './ramp';
import { heapPerConnection } from './report/heap';
import { LABELS, PROTOCOL, type RunningServer, type TargetName } from './targets';

export interface ConnectionStep extends StepResult {
  rssPerConnectionKiB: number;
  connectMs: number;
  /** New connections (for the full stack: authenticated and subscribed) per second in this step. */
  connectsPerSec: number;
  /** Server CPU per new connection during the step, µs: steadier than the rate on a busy box. */
  connectCpuUsPerConnection: number | null;
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
  headline: {
    latencyMs: { p50: number | null; p95: number | null; p99: number | null };
    rssPerConnectionKiB: number;
  };
  errors: string[];
  /** With --heap: JS heap per connection by kind, from snapshots at idle and at the last step. */
  heap?: ReturnType<typeof heapPerConnection>;
}

export interface RunContext {
  heapSnapshots: boolean;
  mode: Mode;
  layout: Layout;
  /** Per user, for the full stack; null for targets without auth. */
  tokens: string[] | null;
  db: BenchDb | null;
  /** Started by the caller alongside the server; closed here when the target is done. */
  loadgen: LoadGen;
  progress: Progress;
}

export const unitsPerTarget = (mode: Mode) => 1 + mode.steps.length + mode.ramp.maxSteps + 2;

/** Connection steps, then the saturation ramp at the last step, then latency at half of it. */
export async function runTarget(server: RunningServer, ctx: RunContext): Promise<TargetRun> {
  const { mode, progress } = ctx;
  const label = LABELS[server.name];
  const began = performance.now();
  const { loadgen } = ctx;
  const run: TargetRun = {
    name: server.name,
    idleRssKiB: 0,
    connectionsHeld: 0,
    steps: [],
    ramp: [],
    half: null,
    saturation: { deliveriesPerSec: 0, stoppedBecause: 'not run', loadgenBound: false },
    headline: { latencyMs: { p50: null, p95: null, p99: null }, rssPerConnectionKiB: 0 },
    errors: [],
  };
  const quiet = (maxMs: number) => settle(() => cpuSeconds(server.pid), maxMs);
  try {
    progress.status(`${label}: idle`);
    await quiet(5_000);
    run.idleRssKiB = rssKiB(server.pid);
    const idleHeap = ctx.heapSnapshots ? await server.heapSnapshot('idle') : null;
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
      const cpuBefore = cpuSeconds(server.pid);
      const connected = await loadgen.connect(
        PROTOCOL[server.name],
        server.url,
        specs,
        mode.connectConcurrency,
      );
      const connectCpu = cpuSeconds(server.pid) - cpuBefore;
      if (connected.failed > 0)
        run.errors.push(
          `${connected.failed} connections failed at ${target}: ${connected.errors.join('; ')}`,
        );
      held += connected.connected;
      rooms += fresh.length;
      progress.status(`${label}: ${held} connections, priming`);
      const primed = await loadgen.prime(mode.primeMs);
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
        connectsPerSec:
          connected.ms > 0 ? Math.round(connected.connected / (connected.ms / 1000)) : 0,
        connectCpuUsPerConnection:
          connected.connected >= 20 ? Math.round((connectCpu * 1e6) / connected.connected) : null,
        connectFailures: connected.failed,
      });
      run.connectionsHeld = held;
      progress.advance();
    }
    run.headline.rssPerConnectionKiB = run.steps.at(-1)?.rssPerConnectionKiB ?? 0;
    if (idleHeap && held > 0) {
      progress.status(`${label}: heap snapshot with ${held} connections`);
      run.heap = heapPerConnection(idleHeap, await server.heapSnapshot('connected'), held);
    }

    // A connection step the server could not keep up with leaves a backlog: let it drain,
    // and start the ramp well below what that step managed.
    progress.status(`${label}: draining before the saturation ramp`);
    await quiet(mode.drainQuietMs);
    const last = run.steps.at(-1);
    const behind =
      last && (last.deliveriesPerSec < 0.8 * last.offeredDeliveriesPerSec || last.lost > 0);
    const start =
      behind && held > 0
        ? Math.min(mode.ramp.start, (0.25 * last.deliveriesPerSec) / held)
        : mode.ramp.start;
    await ramp(run, subject(), ctx, label, began, Math.max(start, 0.01));
    const best = run.saturation.deliveriesPerSec;
    if (best > 0 && held > 0) {
      progress.status(`${label}: draining, then latency at half of ${best} deliveries/s`);
      await quiet(mode.drainQuietMs);
      run.half = await measureWindow(subject(), { ratePerRoom: best / 2 / held, ...mode.window });
      // No sample means nothing sent in the window arrived: unmeasured, not zero.
      const { p50, p95, p99, count } = run.half.latencyMs;
      run.headline.latencyMs = count > 0 ? { p50, p95, p99 } : { p50: null, p95: null, p99: null };
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
