import { EventEmitter, on } from 'node:events';
import { initTRPC, tracked } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import superjson from 'superjson';
import { WebSocketServer } from 'ws';
import { healthServer, lifecycle, makeMessage } from './common';

/**
 * Baseline (c): stock tRPC 11 over WebSocket, the way its docs and examples build a chat:
 * superjson, an async-generator subscription over an EventEmitter, `tracked` ids. The same
 * procedure names and inputs as ours, so one client speaks to both; no auth, no database.
 */
const t = initTRPC.create({ transformer: superjson });
const ee = new EventEmitter();
ee.setMaxListeners(0);

const isInput = <T>(value: unknown) => value as T;

const router = t.router({
  message: t.router({
    send: t.procedure
      .input(isInput<{ conversationId: string; clientId: string; content: string }>)
      .mutation(({ input }) => {
        const message = makeMessage(input.conversationId, 'bench', input.clientId, input.content);
        ee.emit(input.conversationId, message);
        return message;
      }),
    onEvent: t.procedure
      .input(isInput<{ conversationId: string; lastEventId?: string | null }>)
      .subscription(async function* ({ input, signal }) {
        for await (const [message] of on(ee, input.conversationId, { signal })) {
          const m = message as ReturnType<typeof makeMessage>;
          yield tracked(String(m.seq), { type: 'message.created' as const, message: m });
        }
      }),
  }),
});

const http = healthServer();
const wss = new WebSocketServer({ server: http, perMessageDeflate: false, maxPayload: 64 * 1024 });
applyWSSHandler({ wss, router });

const { port } = lifecycle(() => {
  for (const ws of wss.clients) ws.terminate();
  http.close();
});
http.listen(port, '127.0.0.1');
