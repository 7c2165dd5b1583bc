import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type AppRouter,
  type ChatServices,
  type Conversation,
  chat,
  createCallerFactory,
  createSocketContext,
} from '@estuary/api';
import { getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Connections, SocketPolicy } from '../connections';
import type { Metrics } from '../metrics';
import { closeCodeFor, closeReason, LEGACY_CLOSE, runLegacySession } from './session';

export interface LegacyChatOptions {
  router: AppRouter;
  services: ChatServices;
  connections: Connections;
  metrics: Metrics;
  log: Logger;
  maxPayloadBytes: number;
  perMessageDeflate: boolean;
}

/** `/ws/chat/<conversationId>/`, with or without the trailing slash. */
const LEGACY_PATH = /^\/ws\/chat\/([^/?#]+)\/?$/;

/**
 * The old chat's JSON protocol at `/ws/chat/<conversationId>/?token=…`. LEGACY: the only
 * place a token is accepted in a URL, because clients in the field send it there. The URL is
 * never logged, and the token is checked before the socket opens, so by the time a client
 * sees `open` it is live: everything said in the conversation from then on reaches it.
 */
export function createLegacyChat(options: LegacyChatOptions) {
  const { router, services, connections, metrics, log } = options;
  const createCaller = createCallerFactory(router);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    perMessageDeflate: options.perMessageDeflate,
  });

  // The sweep in Connections ends expired sockets; the old protocol says so in its close code.
  const legacyPolicy: SocketPolicy = {
    wrapSend: true,
    expired: (c) => c.ws.close(LEGACY_CLOSE.unauthorized, 'Token expired'),
  };

  async function admit(req: IncomingMessage, conversationId: string) {
    const token = new URL(req.url ?? '/', 'http://ws').searchParams.get('token');
    const abort = new AbortController();
    try {
      const socketCtx = await createSocketContext(services, { token: token ?? undefined });
      // A service token is valid but speaks for nobody: the old chat is for people.
      if (!socketCtx.auth.ok)
        throw new TRPCError({ code: 'FORBIDDEN', message: 'Service tokens cannot open a chat' });
      const ctx = { ...socketCtx, auth: socketCtx.auth };
      const caller = createCaller(ctx, { signal: abort.signal });
      // The router's own membership check (NOT_FOUND / FORBIDDEN), and the names to show.
      const conversation: Conversation = await caller.conversation.get({ conversationId });
      const startAfter = await chat.headEventSeq(services.deps.db.$client, conversationId);
      return { ok: true as const, ctx, caller, abort, conversation, startAfter };
    } catch (error) {
      const trpcError = getTRPCErrorFromUnknown(error);
      const code = closeCodeFor(trpcError);
      if (code === null) throw error;
      return { ok: false as const, code, reason: trpcError.message };
    }
  }

  return {
    /** The conversation id if this upgrade is for the old protocol, else null. */
    match(req: IncomingMessage): string | null {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const match = LEGACY_PATH.exec(path);
      if (!match) return null;
      try {
        return decodeURIComponent(match[1] ?? '');
      } catch {
        return match[1] ?? ''; // malformed escapes: not a conversation id, refused as unknown
      }
    },

    async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, conversationId: string) {
      let admitted: Awaited<ReturnType<typeof admit>>;
      try {
        admitted = await admit(req, conversationId);
      } catch (error) {
        log.error({ err: error, conversationId }, 'legacy socket admission failed');
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        // A protocol error (oversize or bad frame) closes the socket; unhandled, it would throw.
        ws.on('error', (error) =>
          log.warn(
            { reason: (error as { code?: string }).code ?? error.message },
            'legacy client broke the protocol; socket closed',
          ),
        );
        const connection = connections.accept(ws, req, legacyPolicy);
        if (!admitted.ok) {
          // Nothing is sent first: the close code and reason say it all.
          metrics.refused.inc({
            reason: admitted.code === LEGACY_CLOSE.unauthorized ? 'unauthorized' : 'not-member',
          });
          ws.close(admitted.code, closeReason(admitted.reason));
          return;
        }
        connections.authenticated(connection, admitted.ctx);
        runLegacySession({ ws, router, log, ...admitted });
      });
    },

    close() {
      wss.close();
    },
  };
}

export type LegacyChat = ReturnType<typeof createLegacyChat>;
