import { randomUUID } from 'node:crypto';
import { Server } from 'socket.io';
import { healthServer, lifecycle, makeMessage } from './common';

/**
 * Baseline (b): Socket.IO with rooms, as its docs teach it: join a room, `io.to(room).emit`
 * (encoded once per broadcast by the default adapter), acknowledgements for sends.
 * WebSocket transport only, as every load-test client connects that way.
 */
const http = healthServer();
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
  maxHttpBufferSize: 64 * 1024,
});

io.on('connection', (socket) => {
  const userId = randomUUID();
  socket.on('join', (room: string, ack?: (ok: boolean) => void) => {
    void socket.join(room);
    ack?.(true);
  });
  socket.on('send', (p: { r: string; c: string; m: string }, ack?: (message: unknown) => void) => {
    const message = makeMessage(p.r, userId, p.c, p.m);
    io.to(p.r).emit('m', message);
    ack?.(message);
  });
});

const { port } = lifecycle(() => {
  io.disconnectSockets(true);
  http.close();
});
http.listen(port, '127.0.0.1');
