import { MAX_RATE_PER_ROOM } from './config';
import { measureWindow, type StepResult, type Subject } from './measure';
import { cpuSeconds, settle } from './proc';
import type { RunContext, TargetRun } from './runner';

/** Why a window counts as past saturation, or null if the server kept up. */
function overloaded(r: StepResult, best: StepResult | null, p99LimitMs: number): string | null {
  if (r.disconnects > 0) return `${r.disconnects} disconnects`;
  if (r.deliveriesPerSec < 0.8 * r.offeredDeliveriesPerSec)
    return 'deliveries fell behind the offered rate';
  if (r.latencyMs.p99 > p99LimitMs) return `p99 passed ${p99LimitMs} ms`;
  if (r.lost > 0.01 * r.offeredDeliveriesPerSec) return 'deliveries lost';
  if (best && r.deliveriesPerSec <= best.deliveriesPerSec * 1.05)
    return 'deliveries stopped growing';
  return null;
}

/**
 * Offers ×factor more per window until deliveries stop growing, fall behind or latency
 * explodes; then (refine) one window between the last good rate and the first bad one.
 * Saturation is the most deliveries/s any window achieved.
 */
export async function ramp(
  run: TargetRun,
  subject: Subject,
  ctx: RunContext,
  label: string,
  began: number,
  /** First offered rate, per conversation. */
  start: number,
) {
  const { mode, progress } = ctx;
  let best: StepResult | null = null;
  let reason = 'ramp limit reached';
  let lastGood = 0;
  let firstBad = 0;
  let used = 0;
  const measure = async (rate: number, note: string) => {
    progress.status(
      `${label}: ${note}, offering ${Math.round(rate * subject.connections)} deliveries/s`,
    );
    if (run.ramp.length > 0) await settle(() => cpuSeconds(subject.serverPid), 5_000);
    const r = await measureWindow(subject, { ratePerRoom: rate, ...mode.window });
    run.ramp.push(r);
    used++;
    progress.advance();
    const why = overloaded(r, best, mode.ramp.p99LimitMs);
    if (!best || r.deliveriesPerSec > best.deliveriesPerSec) best = r;
    return why;
  };
  for (let i = 0; i < mode.ramp.maxSteps; i++) {
    const rate = start * mode.ramp.factor ** i;
    if (rate > MAX_RATE_PER_ROOM) {
      reason = `offered rate capped at ${MAX_RATE_PER_ROOM} msg/s per conversation`;
      break;
    }
    if (i > 0 && performance.now() - began > mode.targetBudgetMs) {
      reason = 'time budget spent';
      break;
    }
    const why = await measure(rate, `ramp ${i + 1}`);
    if (!why) {
      lastGood = rate;
      continue;
    }
    reason = why;
    firstBad = rate;
    break;
  }
  if (mode.ramp.refine && lastGood > 0 && firstBad > 0) {
    await measure(Math.sqrt(lastGood * firstBad), 'refining');
  }
  progress.advance(mode.ramp.maxSteps + 1 - used);
  if (!best) return;
  const top: StepResult = best;
  run.saturation = {
    deliveriesPerSec: top.deliveriesPerSec,
    ...(top.persistedPerSec !== undefined
      ? { persistedPerSec: Math.max(...run.ramp.map((r) => r.persistedPerSec ?? 0)) }
      : {}),
    stoppedBecause: reason,
    // A load generator flat out (or starved): the number is its ceiling, not the server's.
    loadgenBound: top.loadgenCpuPct.some((p) => p >= 90) || top.maxSendLagMs > 100,
  };
}
