import { randomUUID } from 'node:crypto';
import { type WebSocket, WebSocketServer } from 'ws';
import { healthServer, lifecycle, makeMessage } from './common';

/**
 * Baseline (a): the least a chat fan-out can do with `ws`. Rooms in a Map, one JSON
 * serialisation per broadcast, no auth, no persistence, no backpressure policy.
 */
const http = healthServer();
const wss = new WebSocketServer({ server: http, perMessageDeflate: false, maxPayload: 64 * 1024 });
const rooms = new Map<string, Set<WebSocket>>();

wss.on('connection', (ws) => {
  const userId = randomUUID();
  const joined = new Set<string>();
  ws.on('message', (data: Buffer) => {
    let msg: { t?: string; i?: number; r?: string; c?: string; m?: string };
    try {
      msg = JSON.parse(data.toString());
    } catch {
      ws.send('{"x":"bad json"}');
      return;
    }
    const room = msg.r ?? '';
    if (msg.t === 'j') {
      const members = rooms.get(room) ?? new Set<WebSocket>();
      rooms.set(room, members);
      members.add(ws);
      joined.add(room);
      ws.send(JSON.stringify({ j: room }));
    } else if (msg.t === 's') {
      const message = makeMessage(room, userId, msg.c ?? '', msg.m ?? '');
      const frame = JSON.stringify({ e: message });
      for (const member of rooms.get(room) ?? []) member.send(frame);
      ws.send(JSON.stringify({ a: msg.i, m: message }));
    }
  });
  ws.on('close', () => {
    for (const room of joined) rooms.get(room)?.delete(ws);
  });
});

const { port } = lifecycle(() => {
  for (const ws of wss.clients) ws.terminate();
  http.close();
});
http.listen(port, '127.0.0.1');
