import WebSocket from 'ws';
import type { Protocol, RoomSpec } from './messages';
import { Kind, type Session, type Wire, wires } from './wire';

export interface Conn {
  ws: WebSocket;
  room: RoomState;
  ready: boolean;
  /** Saw a delivery since the last prime began. */
  gotDelivery: boolean;
  nextId: number;
}

export interface RoomState {
  id: string;
  size: number;
  conns: Conn[];
  next: number;
  primed: boolean;
}

export interface FrameSink {
  frame(conn: Conn, kind: Kind, buf: Buffer): void;
  closed(conn: Conn, code: number): void;
}

const CONNECT_TIMEOUT_MS = 20_000;

/** Opens one member's socket and resolves once it is subscribed to its room. */
function open(wire: Wire, url: string, room: RoomState, token: string, sink: FrameSink) {
  return new Promise<Conn>((resolve, reject) => {
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      // The load generator only looks at a few bytes of each frame; validation would be its biggest cost.
      skipUTF8Validation: true,
      handshakeTimeout: CONNECT_TIMEOUT_MS,
      maxPayload: 16 * 1024 * 1024,
    });
    const conn: Conn = { ws, room, ready: false, gotDelivery: false, nextId: 2 };
    const session: Session = { room: room.id, token, send: (text) => ws.send(text) };
    const timer = setTimeout(() => fail(new Error('subscribe timed out')), CONNECT_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      ws.terminate();
      reject(error);
    };
    ws.on('open', () => wire.open(session));
    ws.on('message', (data: Buffer) => {
      if (conn.ready) {
        const kind = wire.kind(data);
        if (kind === Kind.Other) wire.control(session, data.toString());
        else sink.frame(conn, kind, data);
        return;
      }
      const text = data.toString();
      if (wire.control(session, text)) {
        conn.ready = true;
        clearTimeout(timer);
        resolve(conn);
      } else if (/"error"/.test(text)) fail(new Error(text.slice(0, 300)));
    });
    ws.on('error', (error) => fail(error));
    ws.on('close', (code) => {
      if (!conn.ready) return fail(new Error(`closed with ${code} before subscribing`));
      conn.ready = false;
      sink.closed(conn, code);
    });
  });
}

/** All rooms of this process, connected with at most `concurrency` handshakes in flight. */
export class Pool {
  readonly rooms: RoomState[] = [];
  private wire: Wire | null = null;

  constructor(private readonly sink: FrameSink) {}

  get wireProtocol(): Wire {
    if (!this.wire) throw new Error('not connected');
    return this.wire;
  }

  async connect(protocol: Protocol, baseUrl: string, specs: RoomSpec[], concurrency: number) {
    const wire = wires[protocol];
    this.wire = wire;
    const jobs: { room: RoomState; token: string }[] = [];
    for (const spec of specs) {
      const room: RoomState = {
        id: spec.id,
        size: spec.tokens.length,
        conns: [],
        next: 0,
        primed: false,
      };
      this.rooms.push(room);
      for (const token of spec.tokens) jobs.push({ room, token });
    }
    const url = baseUrl + wire.path(jobs.some((j) => j.token !== ''));
    let connected = 0;
    const errors: string[] = [];
    let cursor = 0;
    const worker = async () => {
      while (cursor < jobs.length) {
        const job = jobs[cursor++] as (typeof jobs)[number];
        try {
          job.room.conns.push(await open(wire, url, job.room, job.token, this.sink));
          connected++;
        } catch (error) {
          if (errors.length < 5) errors.push(String((error as Error).message ?? error));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
    return { connected, failed: jobs.length - connected, errors };
  }

  closeAll() {
    for (const room of this.rooms) for (const conn of room.conns) conn.ws.terminate();
  }
}
