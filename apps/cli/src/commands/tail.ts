import type { ChatClient } from '@estuary/client';
import { followConversation } from '@estuary/client';
import { chatClient, withTimeout } from '../api';
import type { CliEnv } from '../env';
import { explain, usageError } from '../errors';
import { eventLine, messageLine } from '../format';
import { COMMON_HELP, conversationIdArg, parse } from '../options';
import { loadSession, type Session, saveSession } from '../session';

export const tailHelp = `Usage: estuary tail <conversationId> [--history <n>] [--max-events <n>]

Follows a conversation live (message.onEvent over the WebSocket, resuming after drops)
and prints each event as it arrives. Ctrl-C stops it. With --json, one JSON object per
line: { eventId, type, message }.

  --history <n>     print the last n messages first (default 10; 0 for none)
  --max-events <n>  exit after n live events (for scripts)

${COMMON_HELP}`;

const REFRESH_BEFORE_MS = 2 * 60_000;

export async function tail(
  argv: string[],
  env: CliEnv,
  out: (line: string) => void,
  warn: (line: string) => void,
) {
  const { values, positionals, common, help } = parse(
    'tail',
    argv,
    { history: { type: 'string' }, 'max-events': { type: 'string' } },
    env,
  );
  if (help) return out(tailHelp);
  const conversationId = conversationIdArg(positionals[0], 'tail');
  if (positionals.length > 1) throw usageError(`Unexpected argument ${positionals[1]}`, 'tail');
  const history = Number(values.history ?? 10);
  const maxEvents = values['max-events'] === undefined ? Infinity : Number(values['max-events']);
  if (!Number.isInteger(history) || history < 0) throw usageError('--history must be ≥ 0', 'tail');
  if (!(maxEvents > 0)) throw usageError('--max-events must be a positive integer', 'tail');

  let session: Session = await loadSession(common.tokenFile);
  let everOpen = false;
  let connected = false;
  let warnedUnreachable = false;
  const client: ChatClient = chatClient(common, () => session.token, {
    onOpen: () => {
      if (everOpen && !connected) warn('Reconnected.');
      everOpen = connected = true;
    },
    onClose: () => {
      if (connected) warn('Connection lost; reconnecting…');
      else if (!everOpen && !warnedUnreachable) {
        warnedUnreachable = true;
        warn(`Cannot reach ${common.wsUrl}; retrying… (Ctrl-C to stop)`);
      }
      connected = false;
    },
  });

  // Fail fast with a clear message (no access, signed out, server down) before going live.
  const conversation = await withTimeout(
    common,
    'Opening the conversation',
    client.conversation.get.query({ conversationId }),
  ).catch(async (error) => {
    await client.close().catch(() => {});
    throw error;
  });
  if (!common.json) {
    const name = conversation.title ?? conversation.participants.map((p) => p.name).join(', ');
    warn(`Following "${name}" (${conversationId}). Ctrl-C to stop.`);
  }

  await new Promise<void>((resolve, reject) => {
    let seen = 0;
    let refresh: NodeJS.Timeout | undefined;
    const finish = (error?: unknown) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      clearTimeout(refresh);
      handle.close();
      void client.close().catch(() => {});
      if (error) reject(error);
      else resolve();
    };
    const stop = () => finish();
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);

    // A tail outlives a 15-minute access token: swap it for a fresh one shortly before.
    const scheduleRefresh = () => {
      if (!session.expiresAt) return;
      const wait = session.expiresAt.getTime() - Date.now() - REFRESH_BEFORE_MS;
      refresh = setTimeout(
        async () => {
          try {
            const next = await client.auth.refresh.mutate();
            session = { ...session, token: next.token, expiresAt: new Date(next.expiresAt) };
            await saveSession(common.tokenFile, session);
            scheduleRefresh();
          } catch (error) {
            warn(`Could not refresh the token: ${explain(error, common).message}`);
          }
        },
        Math.max(1_000, Math.min(wait, 2 ** 31 - 1)),
      );
      refresh.unref();
    };
    scheduleRefresh();

    const handle = followConversation(client, {
      conversationId,
      onHistory: ({ items }) => {
        for (const m of history > 0 ? items.slice(-history) : []) {
          out(
            common.json
              ? JSON.stringify({ eventId: null, type: 'history', message: m })
              : messageLine(m),
          );
        }
      },
      onEvent: (event, eventId) => {
        out(common.json ? JSON.stringify({ eventId, ...event }) : eventLine(event));
        if (++seen >= maxEvents) finish();
      },
      onFatal: (error) => finish(explain(error, common)),
    });
  });
}
