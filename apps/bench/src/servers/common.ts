import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/** The message the baselines broadcast: the same fields and size as the real one, minus the database. */
export interface BenchMessage {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  senderName: string;
  clientId: string;
  content: string;
  replyToId: null;
  createdAt: Date;
  editedAt: null;
  deletedAt: null;
}

const seqs = new Map<string, number>();

export function makeMessage(
  room: string,
  senderId: string,
  clientId: string,
  content: string,
): BenchMessage {
  const seq = (seqs.get(room) ?? 0) + 1;
  seqs.set(room, seq);
  return {
    id: randomUUID(),
    conversationId: room,
    seq,
    senderId,
    senderName: 'Bench User',
    clientId,
    content,
    replyToId: null,
    createdAt: new Date(),
    editedAt: null,
    deletedAt: null,
  };
}

/** An HTTP server answering /healthz (the orchestrator polls it for readiness). */
export function healthServer(): Server {
  return createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
}

/** Port from argv; exits when the orchestrator goes away (IPC closes), and after an hour at most. */
export function lifecycle(close: () => void): { port: number } {
  const port = Number(process.argv[2] ?? 0);
  const bye = () => {
    close();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on('disconnect', bye);
  process.on('SIGTERM', bye);
  process.on('SIGINT', bye);
  setTimeout(() => process.exit(3), 3_600_000).unref();
  return { port };
}
