import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { Server } from 'socket.io';
import { healthServer, lifecycle } from './common';

/**
 * Baseline (d): what a team would build instead of our stack. Socket.IO rooms, as in
 * socket-io.ts, plus one `INSERT` per message into the same durable Postgres as the full
 * stack, broadcast after it commits. No auth, no group commit, no event log, no resume.
 * The table is the bench's own (`bench_socketio_messages`, made by db.ts).
 */
const databaseUrl = process.argv[3];
if (!databaseUrl) throw new Error('usage: socket-io-pg.ts <port> <database url>');
// postgres.js's default pool (10): concurrent INSERTs let Postgres share WAL flushes.
const sql = postgres(databaseUrl, { max: 10, onnotice: () => {} });

const http = healthServer();
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
  maxHttpBufferSize: 64 * 1024,
});

interface Row {
  id: string;
  created_at: Date;
}

io.on('connection', (socket) => {
  const userId = randomUUID();
  socket.on('join', (room: string, ack?: (ok: boolean) => void) => {
    void socket.join(room);
    ack?.(true);
  });
  socket.on('send', (p: { r: string; c: string; m: string }, ack?: (message: unknown) => void) => {
    sql<Row[]>`
      insert into bench_socketio_messages (room, sender_id, client_id, content)
      values (${p.r}, ${userId}, ${p.c}, ${p.m})
      returning id, created_at`
      .then(([row]) => {
        const message = {
          id: row?.id,
          conversationId: p.r,
          senderId: userId,
          senderName: 'Bench User',
          clientId: p.c,
          content: p.m,
          createdAt: row?.created_at,
        };
        io.to(p.r).emit('m', message);
        ack?.(message);
      })
      .catch((error: Error) => ack?.({ error: error.message }));
  });
});

const { port } = lifecycle(() => {
  io.disconnectSockets(true);
  http.close();
  void sql.end({ timeout: 1 });
});
http.listen(port, '127.0.0.1');
