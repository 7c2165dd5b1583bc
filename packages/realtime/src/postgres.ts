import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { createBatcher } from './batch';
import { decodeEnvelope, encodeEnvelope, parseJson } from './envelope';
import { LocalHub } from './hub';
import { toAsyncIterable } from './iterate';
import type { Bus, BusOptions, SubscribeOptions } from './types';

const CHANNEL = 'estuary_bus';
// NOTIFY payloads must stay under 8,000 bytes; leave room for the array brackets.
const MAX_NOTIFY_BYTES = 7_900;
const PAYLOAD_RETENTION = '10 minutes';
const FLUSH_WINDOW_MS = 2;

/**
 * Postgres LISTEN/NOTIFY. Every process listens on one channel and filters locally: Postgres
 * scans its listen list per notification, so one channel beats one per conversation.
 * Publishes made in the same tick share one round trip and are packed into as few
 * notifications as fit. A payload too large for NOTIFY is stored in `bus_payloads` and
 * travels as its row id.
 */
export function createPostgresBus(url: string, options: BusOptions = {}): Bus {
  const nodeId = options.nodeId ?? randomUUID();
  const log = options.log ?? (() => {});
  const sql = postgres(url, {
    max: 2,
    onnotice: () => {},
    connection: { application_name: 'estuary-bus' },
  });
  const hub = new LocalHub();
  let listens = 0;
  let closed = false;
  // Notifications are handled one after another, so a by-reference payload cannot be overtaken.
  let receiving: Promise<void> = Promise.resolve();

  const ready = sql.listen(
    CHANNEL,
    (text) => {
      receiving = receiving.then(() => receive(text)).catch(() => {});
    },
    () => {
      // postgres.js re-runs LISTEN after a reconnect; whatever was sent meanwhile is lost.
      if (listens++ > 0) {
        log('warn', 'bus: postgres listener reconnected; consumers resync');
        hub.dispatchGap();
      }
    },
  );
  ready.catch((error) => log('error', 'bus: postgres listen failed', { error: String(error) }));

  async function receive(text: string) {
    // "<node id>\n<json array>": a process skips its own notifications without parsing them.
    const split = text.indexOf('\n');
    if (split < 0 || text.slice(0, split) === nodeId) return;
    const items = parseJson(text.slice(split + 1));
    if (!Array.isArray(items)) return;
    for (const item of items) {
      let raw: unknown = item;
      if (typeof item === 'number') {
        const rows = await sql<{ payload: string }[]>`
          select payload from bus_payloads where id = ${item}`.catch(() => []);
        raw = rows[0] ? parseJson(rows[0].payload) : undefined;
      }
      const envelope = decodeEnvelope(raw);
      if (!envelope) {
        hub.dispatchGap();
        continue;
      }
      if (envelope.n === nodeId) continue;
      options.onRemoteDelivery?.(Date.now() - envelope.s);
      hub.dispatch(envelope.t, envelope.d);
    }
  }

  async function flush(batch: string[]) {
    const header = `${nodeId}\n`;
    const notifications: string[] = [];
    let current: string[] = [];
    let size = 2 + Buffer.byteLength(header);
    for (const text of batch) {
      let item = text;
      let bytes = Buffer.byteLength(text);
      if (bytes > MAX_NOTIFY_BYTES - 2) {
        const [row] = await sql<{ id: string }[]>`
          insert into bus_payloads (payload) values (${text}) returning id`;
        item = String(row?.id);
        bytes = item.length;
      }
      if (size + bytes + 1 > MAX_NOTIFY_BYTES && current.length > 0) {
        notifications.push(`${header}[${current.join(',')}]`);
        current = [];
        size = 2 + Buffer.byteLength(header);
      }
      current.push(item);
      size += bytes + 1;
    }
    if (current.length > 0) notifications.push(`${header}[${current.join(',')}]`);
    await sql`
      select pg_notify(${CHANNEL}, n)
      from unnest(${notifications}::text[]) with ordinality as t(n, i)
      order by i`;
  }
  // Each flush is a round trip and a wake-up of every listening backend; gathering for a
  // couple of milliseconds cuts them several-fold under load. Local subscribers are not
  // delayed: they were served when `publish` was called.
  const batcher = createBatcher(flush, { windowMs: FLUSH_WINDOW_MS });

  const sweep = setInterval(() => {
    sql`delete from bus_payloads where created_at < now() - ${PAYLOAD_RETENTION}::interval`.catch(
      () => {},
    );
  }, 60_000);
  sweep.unref();

  return {
    kind: 'postgres',
    async publish(topic, payload) {
      if (closed) throw new Error('bus closed');
      hub.dispatch(topic, payload);
      await batcher.push(encodeEnvelope({ n: nodeId, t: topic, s: Date.now(), d: payload }));
    },
    listen: (topic, listener) => hub.listen(topic, listener),
    listenerCount: (topic) => hub.listenerCount(topic),
    subscribe: <T>(topic: string, opts: SubscribeOptions) =>
      toAsyncIterable<T>((l) => hub.listen(topic, l), opts),
    async check() {
      try {
        await ready;
        await sql`select 1`;
        return { ok: true, detail: 'postgres listen/notify' };
      } catch (error) {
        return { ok: false, detail: `postgres bus: ${String(error)}` };
      }
    },
    async close() {
      closed = true;
      clearInterval(sweep);
      await batcher.drain();
      hub.dispatchGap();
      await sql.end({ timeout: 2 });
    },
  };
}
