import type { Protocol } from './messages';

/** What a frame is, decided from its first bytes: parsing every frame would cost more than the servers' work. */
export enum Kind {
  Other = 0,
  Delivery = 1,
  Ack = 2,
  Error = 3,
}

export interface Session {
  room: string;
  token: string;
  send(text: string): void;
}

/**
 * One protocol as a client speaks it on a raw socket: the URL, the handshake up to "this
 * connection receives its room's messages", how a send looks, and how to sort frames.
 * Every target gets the same client code; only these few lines differ.
 */
export interface Wire {
  path(hasToken: boolean): string;
  open(s: Session): void;
  /** Handles a control frame; returns true once the connection is subscribed. */
  control(s: Session, text: string): boolean;
  sendFrame(id: number, room: string, clientId: string, content: string): string;
  kind(buf: Buffer): Kind;
}

const startsWith = (buf: Buffer, prefix: Buffer) =>
  buf.length >= prefix.length && buf.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;

/** Our bare ws server (servers/raw-ws.ts): JSON with one-letter tags. */
const raw: Wire = {
  path: () => '/',
  open: (s) => s.send(JSON.stringify({ t: 'j', r: s.room })),
  control: (_s, text) => text.startsWith('{"j"'),
  sendFrame: (id, room, clientId, content) =>
    JSON.stringify({ t: 's', i: id, r: room, c: clientId, m: content }),
  kind: (buf) => {
    const tag = buf[2];
    return tag === 0x65
      ? Kind.Delivery
      : tag === 0x61
        ? Kind.Ack
        : tag === 0x78
          ? Kind.Error
          : Kind.Other;
  },
};

/**
 * Socket.IO v4 over Engine.IO v4, websocket transport only: `0{…}` open, `40` namespace
 * connect, `42[…]` events, `43<n>[…]` acks, `2`/`3` heartbeat.
 */
const socketio: Wire = {
  path: () => '/socket.io/?EIO=4&transport=websocket',
  open: () => {},
  control: (s, text) => {
    if (text === '2') s.send('3');
    else if (text.startsWith('0{')) s.send('40');
    else if (text.startsWith('40')) s.send(`420${JSON.stringify(['join', s.room])}`);
    else if (text.startsWith('430')) return true;
    return false;
  },
  sendFrame: (id, room, clientId, content) =>
    `42${id}${JSON.stringify(['send', { r: room, c: clientId, m: content }])}`,
  kind: (buf) => {
    if (buf[0] !== 0x34 || buf.length < 3) return Kind.Other;
    if (buf[1] === 0x32 && buf[2] === 0x5b) return Kind.Delivery;
    return buf[1] === 0x33 ? Kind.Ack : Kind.Other;
  },
};

const SUB_DATA = Buffer.from('{"id":1,"result":{"type":"data"');
const ID = Buffer.from('{"id":');

/**
 * tRPC's WebSocket JSON-RPC (as in @trpc/server adapters/ws.ts): connectionParams first
 * when the URL says so, then subscription id 1 on `subscription`; sends are mutations
 * with ids from 2; superjson wraps inputs as { json }.
 */
const trpcOn = (subscription: string): Wire => ({
  path: (hasToken) => (hasToken ? '/?connectionParams=1' : '/'),
  open: (s) => {
    if (s.token) s.send(JSON.stringify({ method: 'connectionParams', data: { token: s.token } }));
    s.send(
      JSON.stringify({
        id: 1,
        method: 'subscription',
        params: { path: subscription, input: { json: { conversationId: s.room } } },
      }),
    );
  },
  control: (s, text) => {
    if (text === 'PING') s.send('PONG');
    return text.startsWith('{"id":1,"result":{"type":"started"');
  },
  sendFrame: (id, room, clientId, content) =>
    JSON.stringify({
      id,
      method: 'mutation',
      params: {
        path: 'message.send',
        input: { json: { conversationId: room, clientId, content } },
      },
    }),
  kind: (buf) => {
    if (startsWith(buf, SUB_DATA)) return Kind.Delivery;
    if (!startsWith(buf, ID)) return Kind.Other;
    // Skip the id digits, then "result" or "error" decides.
    let i = ID.length;
    while (i < buf.length && buf[i] !== 0x2c) i++;
    return buf[i + 2] === 0x72 ? Kind.Ack : buf[i + 2] === 0x65 ? Kind.Error : Kind.Other;
  },
});

export const wires: Record<Protocol, Wire> = {
  raw,
  socketio,
  trpc: trpcOn('message.onEvent'),
  trpcBatch: trpcOn('message.onEvents'),
};

const MARK = Buffer.from('~T');

/** The send time (µs, monotonic clock shared by all processes) embedded in the content. */
export function stampOf(buf: Buffer, from = 0): number {
  const at = buf.indexOf(MARK, from);
  if (at < 0) return -1;
  let value = 0;
  for (let i = at + 2; i < buf.length; i++) {
    const c = buf[i] as number;
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
  }
  return value;
}

/** Every send time in a frame: one for most protocols, several for a batch of events. */
export function forEachStamp(buf: Buffer, each: (sentAt: number) => void) {
  for (let at = buf.indexOf(MARK); at >= 0; at = buf.indexOf(MARK, at + 2)) each(stampOf(buf, at));
}

const FILLER = ' lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor';

/** A chat-sized message (~90 characters) carrying its send time. */
export const contentAt = (us: number) => `bench ~T${us}~${FILLER}`;

export const nowUs = () => Number(process.hrtime.bigint() / 1000n);
