import { randomUUID } from 'node:crypto';
import { encodeHistogram, type Histogram, newHistogram } from '../histogram';
import { type Conn, type FrameSink, Pool } from './connections';
import type { Command, Reply, WindowResult } from './messages';
import { contentAt, forEachStamp, Kind, nowUs, stampOf } from './wire';

/**
 * A load generator process: holds its share of the connections, sends at an open-loop
 * rate (never waiting for replies, so a slow server cannot slow the offered load), and
 * measures send-to-deliver latency from the send time stamped into each message.
 */

const TICK_MS = 2;
// A tick sends at most this much of a second's schedule; beyond it the loop is behind.
const MAX_TICK_SHARE = 0.05;

let windowStart = Number.POSITIVE_INFINITY;
let measuring = false;
let w = fresh();

function fresh() {
  return {
    sent: 0,
    expected: 0,
    received: 0,
    deliveriesInWindow: 0,
    acks: 0,
    errors: 0,
    errorSamples: [] as string[],
    disconnects: 0,
    closeCodes: {} as Record<string, number>,
    latency: newHistogram(),
    bySize: new Map<number, Histogram>(),
    ack: newHistogram(),
    maxSendLagMs: 0,
    cpu: process.cpuUsage(),
    at: performance.now(),
  };
}

const sink: FrameSink = {
  frame(conn: Conn, kind: Kind, buf: Buffer) {
    if (kind === Kind.Delivery) {
      conn.gotDelivery = true;
      const now = nowUs();
      forEachStamp(buf, (sentAt) => {
        if (measuring) w.deliveriesInWindow++;
        if (sentAt < windowStart) return;
        const us = Math.max(1, now - sentAt);
        w.received++;
        w.latency.recordValue(us);
        let h = w.bySize.get(conn.room.size);
        if (!h) {
          h = newHistogram();
          w.bySize.set(conn.room.size, h);
        }
        h.recordValue(us);
      });
    } else if (kind === Kind.Ack) {
      const sentAt = stampOf(buf);
      if (sentAt < windowStart) return;
      w.acks++;
      w.ack.recordValue(Math.max(1, nowUs() - sentAt));
    } else if (kind === Kind.Error) {
      w.errors++;
      if (w.errorSamples.length < 3) w.errorSamples.push(buf.toString().slice(0, 300));
    }
  },
  closed(_conn, code) {
    w.disconnects++;
    w.closeCodes[code] = (w.closeCodes[code] ?? 0) + 1;
  },
};

const pool = new Pool(sink);

function sendFrom(conn: Conn | undefined): boolean {
  if (!conn?.ready) return false;
  const wire = pool.wireProtocol;
  const us = nowUs();
  conn.ws.send(wire.sendFrame(conn.nextId++, conn.room.id, randomUUID(), contentAt(us)));
  if (measuring && us >= windowStart) {
    w.sent++;
    w.expected += conn.room.size;
  }
  return true;
}

/** Open-loop sender: message n is due at start + n / rate, round-robin over rooms and members. */
let sender: { rate: number; start: number; done: number; timer: NodeJS.Timeout | null } | null =
  null;

function startSending(ratePerRoom: number) {
  stopSending();
  const rate = ratePerRoom * pool.rooms.length;
  if (rate <= 0 || pool.rooms.length === 0) return;
  const s = { rate, start: performance.now(), done: 0, timer: null as NodeJS.Timeout | null };
  let roomCursor = 0;
  const tick = () => {
    const now = performance.now();
    let due = Math.floor(((now - s.start) / 1000) * s.rate) - s.done;
    const cap = Math.max(1, Math.ceil(s.rate * MAX_TICK_SHARE));
    if (due > cap) {
      if (measuring) w.maxSendLagMs = Math.max(w.maxSendLagMs, (due / s.rate) * 1000);
      s.done += due - cap; // dropped, not queued: the offered rate is what really went out
      due = cap;
    }
    for (let i = 0; i < due; i++) {
      const room = pool.rooms[roomCursor++ % pool.rooms.length];
      if (room) sendFrom(room.conns[room.next++ % Math.max(1, room.conns.length)]);
      s.done++;
    }
    s.timer = setTimeout(tick, TICK_MS);
  };
  s.timer = setTimeout(tick, TICK_MS);
  sender = s;
}

function stopSending() {
  if (sender?.timer) clearTimeout(sender.timer);
  sender = null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every member of every new room must have seen a message, so all subscriptions are live. */
async function prime(timeoutMs: number) {
  const started = performance.now();
  const pending = pool.rooms.filter((r) => !r.primed);
  for (const room of pending) for (const c of room.conns) c.gotDelivery = false;
  let left = pending;
  const done = (room: (typeof pending)[number]) => {
    room.primed = room.conns.every((c) => c.gotDelivery);
    return room.primed;
  };
  while (left.length > 0 && performance.now() - started < timeoutMs) {
    for (const room of left) sendFrom(room.conns[room.next++ % Math.max(1, room.conns.length)]);
    // Probes are messages too: resend to a room at most once a second, not faster than a
    // struggling server answers, but stop waiting as soon as every room has its message.
    for (let waited = 0; waited < 1_000 && !left.every(done); waited += 50) await sleep(50);
    left = left.filter((room) => !done(room));
  }
  return {
    primed: pending.length - left.length,
    unprimed: left.length,
    ms: Math.round(performance.now() - started),
  };
}

async function stop(drainMs: number): Promise<WindowResult> {
  stopSending();
  measuring = false;
  const windowMs = performance.now() - w.at;
  const cpu = process.cpuUsage(w.cpu);
  const deadline = performance.now() + drainMs;
  let last = -1;
  let quietSince = performance.now();
  while (w.received < w.expected && performance.now() < deadline) {
    if (w.received !== last) [last, quietSince] = [w.received, performance.now()];
    else if (performance.now() - quietSince > 1_000) break;
    await sleep(20);
  }
  windowStart = Number.POSITIVE_INFINITY;
  const bySize: Record<string, string> = {};
  for (const [size, h] of w.bySize) bySize[size] = encodeHistogram(h);
  return {
    windowMs,
    sent: w.sent,
    expected: w.expected,
    received: w.received,
    deliveriesInWindow: w.deliveriesInWindow,
    acks: w.acks,
    errors: w.errors,
    errorSamples: w.errorSamples,
    disconnects: w.disconnects,
    closeCodes: w.closeCodes,
    latency: encodeHistogram(w.latency),
    latencyByRoomSize: bySize,
    ack: encodeHistogram(w.ack),
    maxSendLagMs: Math.round(w.maxSendLagMs),
    cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / windowMs) * 100),
  };
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'connect': {
      const started = performance.now();
      const result = await pool.connect(
        command.protocol,
        command.url,
        command.rooms,
        command.concurrency,
      );
      return { ...result, ms: Math.round(performance.now() - started) };
    }
    case 'prime':
      return prime(command.timeoutMs);
    case 'start':
      startSending(command.ratePerRoom);
      return null;
    case 'mark':
      w = fresh();
      windowStart = nowUs();
      measuring = true;
      return null;
    case 'stop':
      return stop(command.drainMs);
    case 'close':
      stopSending();
      pool.closeAll();
      setTimeout(() => process.exit(0), 200);
      return null;
  }
}

process.on('message', (message: Command & { id: number }) => {
  handle(message).then(
    (result) => process.send?.({ ok: true, id: message.id, result } satisfies Reply),
    (error) => process.send?.({ ok: false, id: message.id, error: String(error) } satisfies Reply),
  );
});
// Bounded no matter what: the orchestrator gone, or an hour passed.
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), 3_600_000).unref();
// Messages sent before this process listens would be lost: say when it does.
process.send?.({ ready: true });
