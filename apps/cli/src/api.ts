import type { AppRouter } from '@estuary/api';
import { type ChatClient, createChatClient } from '@estuary/client';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import superjson from 'superjson';
import { CliError } from './errors';
import type { Common } from './options';

/** For login only: plain HTTP, no token, no socket. */
export function anonymousClient(common: Common): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: common.httpUrl, transformer: superjson })],
  });
}

/**
 * The typed chat client. With --transport ws nothing goes over HTTP, which is how the CLI
 * talks to a lone apps/ws (tests, ops boxes without the web app).
 */
export function chatClient(
  common: Common,
  token: string | (() => string),
  hooks: { onOpen?: () => void; onClose?: (cause?: { code?: number }) => void } = {},
): ChatClient {
  return createChatClient({
    wsUrl: common.wsUrl,
    ...(common.transport === 'http' ? { httpUrl: common.httpUrl } : {}),
    getToken: typeof token === 'string' ? () => token : token,
    ...hooks,
  });
}

/** One-shot calls give up after --timeout instead of waiting on a reconnect loop forever. */
export async function withTimeout<T>(common: Common, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CliError(
            `${what} timed out after ${common.timeoutMs / 1000} s. Is the server at ${common.transport === 'ws' ? common.wsUrl : common.httpUrl} up?`,
          ),
        ),
      common.timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one call over a fresh client and closes it. Over the socket, a connection that
 * closes before ever opening is reported at once (unreachable), not after the timeout.
 */
export async function oneShot<T>(
  common: Common,
  token: string,
  what: string,
  call: (client: ChatClient) => Promise<T>,
): Promise<T> {
  let opened = false;
  let refuse: (error: Error) => void = () => {};
  const unreachable = new Promise<never>((_, reject) => {
    refuse = reject;
  });
  unreachable.catch(() => {});
  const client = chatClient(common, token, {
    onOpen: () => {
      opened = true;
    },
    onClose: () => {
      if (!opened) {
        refuse(
          new CliError(`Cannot reach the WebSocket server at ${common.wsUrl}. Is it running?`),
        );
      }
    },
  });
  try {
    return await withTimeout(common, what, Promise.race([call(client), unreachable]));
  } finally {
    await client.close().catch(() => {});
  }
}
