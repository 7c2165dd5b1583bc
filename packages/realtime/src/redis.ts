import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { decodeEnvelope, encodeEnvelope, parseJson } from './envelope';
import { LocalHub } from './hub';
import { toAsyncIterable } from './iterate';
import type { Bus, BusOptions, SubscribeOptions } from './types';

const PREFIX = 'estuary:';

/**
 * Redis pub/sub, one channel per topic, subscribed only while someone here listens. If Redis
 * goes away the process keeps serving: publishes fail fast (the write already committed),
 * and consumers get a GAP every `degradedGapIntervalMs` so they poll Postgres until Redis is
 * back. ioredis reconnects and resubscribes by itself.
 */
export function createRedisBus(url: string, options: BusOptions = {}): Bus {
  const nodeId = options.nodeId ?? randomUUID();
  const log = options.log ?? (() => {});
  const gapEvery = options.degradedGapIntervalMs ?? 1_000;
  const retryStrategy = (attempt: number) => Math.min(100 * 2 ** attempt, 2_000);
  // No offline queue on the publisher: a publish during an outage must fail now, not replay
  // stale events minutes later.
  const pub = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
    retryStrategy,
  });
  const sub = new Redis(url, { lazyConnect: true, retryStrategy, maxRetriesPerRequest: null });
  let degradedSince: number | null = null;
  let gapTimer: NodeJS.Timeout | null = null;
  let connectedOnce = false;

  const hub = new LocalHub({
    onFirst: (topic) => void sub.subscribe(PREFIX + topic).catch(() => {}),
    onLast: (topic) => void sub.unsubscribe(PREFIX + topic).catch(() => {}),
  });

  sub.on('message', (_channel: string, text: string) => {
    const envelope = decodeEnvelope(parseJson(text));
    if (!envelope || envelope.n === nodeId) return;
    options.onRemoteDelivery?.(Date.now() - envelope.s);
    hub.dispatch(envelope.t, envelope.d);
  });

  const markDown = (reason: string) => {
    if (degradedSince !== null) return;
    degradedSince = Date.now();
    log('warn', 'bus: redis unreachable; serving degraded, consumers poll Postgres', { reason });
    hub.dispatchGap();
    gapTimer = setInterval(() => hub.dispatchGap(), gapEvery);
    gapTimer.unref();
  };
  const markUp = () => {
    if (pub.status !== 'ready' || sub.status !== 'ready') return;
    if (degradedSince !== null) {
      log('info', 'bus: redis is back', { downMs: Date.now() - degradedSince });
      degradedSince = null;
      if (gapTimer) clearInterval(gapTimer);
      gapTimer = null;
      // Anything published while the subscriber was away is gone: catch up once more.
      hub.dispatchGap();
    }
    connectedOnce = true;
  };
  for (const client of [pub, sub]) {
    client.on('ready', markUp);
    client.on('close', () => {
      if (connectedOnce) markDown('connection closed');
    });
    // ioredis emits 'error' for every failed reconnect; the state above already says it.
    client.on('error', () => {});
  }

  const connected = Promise.all([pub.connect(), sub.connect()]).catch((error) => {
    markDown(String(error));
  });

  return {
    kind: 'redis',
    async publish(topic, payload) {
      hub.dispatch(topic, payload);
      await pub.publish(
        PREFIX + topic,
        encodeEnvelope({ n: nodeId, t: topic, s: Date.now(), d: payload }),
      );
    },
    listen: (topic, listener) => hub.listen(topic, listener),
    listenerCount: (topic) => hub.listenerCount(topic),
    subscribe: <T>(topic: string, opts: SubscribeOptions) =>
      toAsyncIterable<T>((l) => hub.listen(topic, l), opts),
    async check() {
      await connected;
      if (degradedSince !== null || pub.status !== 'ready' || sub.status !== 'ready') {
        const since = degradedSince
          ? ` for ${Math.round((Date.now() - degradedSince) / 1000)}s`
          : '';
        return {
          ok: false,
          detail: `redis unreachable${since}; delivery falls back to Postgres polling`,
        };
      }
      try {
        await pub.ping();
        return { ok: true, detail: 'redis pub/sub' };
      } catch (error) {
        return { ok: false, detail: `redis: ${String(error)}` };
      }
    },
    async close() {
      if (gapTimer) clearInterval(gapTimer);
      hub.dispatchGap();
      pub.disconnect();
      sub.disconnect();
    },
  };
}
