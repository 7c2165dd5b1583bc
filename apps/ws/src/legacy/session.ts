import { randomUUID } from 'node:crypto';
import {
  type AppRouter,
  type Context,
  type Conversation,
  chat,
  PreparedTracked,
} from '@estuary/api';
import {
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  isTrackedEnvelope,
  TRPCError,
} from '@trpc/server';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { CLOSE } from '../connections';
import {
  type IncomingFrame,
  incomingFrame,
  messageFrames,
  namesOf,
  type OutgoingFrame,
  statusFrame,
  typingFrame,
} from './frames';

/** Close codes for the old protocol: 4001 as on the tRPC path, plus membership. */
export const LEGACY_CLOSE = {
  unauthorized: CLOSE.unauthorized,
  forbidden: 4003,
  notFound: 4004,
} as const;

export function closeCodeFor(error: TRPCError): number | null {
  if (error.code === 'UNAUTHORIZED') return LEGACY_CLOSE.unauthorized;
  if (error.code === 'FORBIDDEN') return LEGACY_CLOSE.forbidden;
  if (error.code === 'NOT_FOUND' || error.code === 'BAD_REQUEST') return LEGACY_CLOSE.notFound;
  return null;
}

/** A close reason is at most 123 bytes. */
export const closeReason = (message: string) => Buffer.from(message).subarray(0, 123).toString();

type Caller = ReturnType<AppRouter['createCaller']>;

export interface LegacySession {
  ws: WebSocket;
  ctx: Context & { auth: { ok: true } };
  caller: Caller;
  abort: AbortController;
  conversation: Conversation;
  /** The conversation's last event id when the socket opened: the stream starts after it. */
  startAfter: number;
  router: AppRouter;
  log: Logger;
}

/**
 * One old-protocol socket, after its token and membership were checked. Every frame it sends
 * becomes a call on the router (same validation, limits and rules as any typed client), and
 * every frame it receives comes from the router's own subscriptions, translated.
 */
export function runLegacySession(session: LegacySession) {
  const { ws, ctx, caller, abort, conversation, router, log } = session;
  const conversationId = conversation.id;
  const me = ctx.auth.user.id;
  const db = ctx.services.deps.db;
  const names = namesOf(conversation.participants);

  const send = (frame: OutgoingFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const end = (code: number, reason: string) => {
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING)
      ws.close(code, closeReason(reason));
  };
  ws.once('close', () => abort.abort());

  const errorFrame = (error: unknown, path: string) => {
    const trpcError = getTRPCErrorFromUnknown(error);
    if (trpcError.code === 'INTERNAL_SERVER_ERROR')
      log.error({ userId: me, path, err: trpcError.cause ?? trpcError }, 'legacy call failed');
    const shape = getTRPCErrorShape({
      config: router._def._config,
      error: trpcError,
      type: 'mutation',
      path,
      input: undefined,
      ctx,
    });
    const data = shape.data as { code: string; issues?: unknown };
    send({
      type: 'error',
      code: data.code,
      message: shape.message,
      ...(data.issues ? { issues: data.issues } : {}),
    });
    // An expired token ends the socket as on the tRPC path: the client fetches a new one.
    if (trpcError.code === 'UNAUTHORIZED') end(LEGACY_CLOSE.unauthorized, trpcError.message);
  };

  /** Runs one subscription until the socket closes; a stream that fails ends the socket. */
  const pump = async <T>(
    start: Promise<AsyncIterable<T>>,
    onItem: (item: T) => void | Promise<void>,
  ) => {
    try {
      for await (const item of await start) {
        if (abort.signal.aborted) return;
        await onItem(item);
      }
    } catch (error) {
      if (abort.signal.aborted) return;
      const trpcError = getTRPCErrorFromUnknown(error);
      const code = closeCodeFor(trpcError);
      if (code === null) log.error({ userId: me, err: error }, 'legacy stream failed');
      end(code ?? 1011, code === null ? 'Internal error' : trpcError.message);
    }
  };

  void pump(
    caller.message.onEvent({ conversationId, lastEventId: String(session.startAfter) }),
    (item) => {
      // A server-side caller gets the tracked envelope itself, `[id, data, symbol]`.
      const data: unknown = isTrackedEnvelope(item) ? item[1] : (item as { data: unknown }).data;
      // The stream's payloads are serialised once per process; its JSON has ISO dates.
      const event =
        data instanceof PreparedTracked
          ? (JSON.parse(data.text) as { json: { data: Parameters<typeof messageFrames>[0] } }).json
              .data
          : (data as Parameters<typeof messageFrames>[0]);
      for (const frame of messageFrames(event)) send(frame);
    },
  );
  void pump(caller.typing.onChange({ conversationId }), (change) => send(typingFrame(change)));
  void pump(caller.receipt.onRead({ conversationId }), async (receipt) => {
    const messageId = await chat.messageIdAtSeq(db, conversationId, receipt.lastReadSeq);
    if (messageId) send({ type: 'read_receipt', message_id: messageId, user_id: receipt.userId });
  });
  void pump(caller.presence.onChange({ conversationId }), async (state) => {
    if (state.userId === me) return;
    const name = names.get(state.userId) ?? (await ctx.services.getUser(state.userId))?.name;
    send(statusFrame(state, name ?? ''));
  });

  const handle = async (frame: IncomingFrame) => {
    switch (frame.type) {
      case 'chat_message':
        if (frame.attachments && frame.attachments.length > 0) {
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: 'Attachments are not supported on this server yet: send attachments: null',
          });
        }
        // The old protocol has no client id; each frame is one send.
        await caller.message.send({
          conversationId,
          clientId: randomUUID(),
          content: frame.content,
        });
        return;
      case 'typing_indicator':
        await caller.typing.set({ conversationId, isTyping: frame.is_typing });
        return;
      case 'read_receipt': {
        const seq = await chat.messageSeq(db, conversationId, frame.message_id);
        await caller.receipt.markRead({ conversationId, seq });
        return;
      }
    }
  };

  // Frames are handled one at a time, in order, so two sends keep the order they were sent in.
  let chain = Promise.resolve();
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    chain = chain.then(async () => {
      if (ws.readyState !== ws.OPEN) return;
      const parsed = parseFrame(raw, isBinary);
      if ('error' in parsed) return errorFrame(parsed.error, 'legacy');
      try {
        await handle(parsed.frame);
      } catch (error) {
        errorFrame(error, parsed.frame.type);
      }
    });
  });
}

function parseFrame(
  raw: RawData,
  isBinary: boolean,
): { frame: IncomingFrame } | { error: TRPCError } {
  const bad = (message: string, cause?: unknown) => ({
    error: new TRPCError({ code: 'BAD_REQUEST', message, cause }),
  });
  if (isBinary) return bad('Frames must be JSON text');
  let json: unknown;
  try {
    json = JSON.parse(String(raw));
  } catch {
    return bad('Frame is not valid JSON');
  }
  const parsed = incomingFrame.safeParse(json);
  // The zod error as cause: the router's error formatter lists its issues, as for any input.
  if (!parsed.success) return bad('Invalid frame', parsed.error);
  return { frame: parsed.data };
}
