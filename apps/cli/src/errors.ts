import { TRPCClientError } from '@trpc/client';

/** An error the user can act on: printed as is, without a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Bad flags or arguments: exit code 2, like most Unix tools. */
export const usageError = (message: string, command?: string) =>
  new CliError(`${message}\nRun \`estuary ${command ? `${command} ` : ''}--help\` for usage.`, 2);

export const LOGIN_HINT = 'Run `pnpm estuary login` to sign in.';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/** Walks `cause` chains: the client and fetch wrap the socket error a few levels down. */
function networkCode(error: unknown): string | null {
  let e = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined;
  for (let i = 0; e && i < 8; i++) {
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
    if (e.message === 'fetch failed') return 'network error';
    e = e.cause as typeof e;
  }
  return null;
}

/**
 * Turns whatever a command threw into one readable line (or a few). Server error messages
 * are safe to show; the token never appears in them.
 */
export function explain(error: unknown, where: { httpUrl: string; wsUrl: string }): CliError {
  if (error instanceof CliError) return error;
  const net = networkCode(error);
  if (net) {
    return new CliError(
      `Cannot reach the server (${net}). Is it running? Tried ${where.httpUrl} and ${where.wsUrl}; set --http-url / --ws-url or ESTUARY_HTTP_URL / ESTUARY_WS_URL.`,
    );
  }
  if (error instanceof TRPCClientError) {
    const code = (error.data as { code?: string } | undefined)?.code;
    if (code === 'UNAUTHORIZED')
      return new CliError(`Not signed in: ${error.message}. ${LOGIN_HINT}`);
    if (code === 'FORBIDDEN' || code === 'NOT_FOUND') return new CliError(error.message);
    if (code === 'BAD_REQUEST') return new CliError(`Rejected by the server: ${error.message}`, 2);
    if (code === 'TOO_MANY_REQUESTS') return new CliError(`${error.message}`);
    if (/WebSocket closed|Closed before/i.test(error.message)) {
      return new CliError(
        `The WebSocket server at ${where.wsUrl} closed the connection. If it is running, the token may be invalid for it. ${LOGIN_HINT}`,
      );
    }
    return new CliError(`Server error${code ? ` (${code})` : ''}: ${error.message}`);
  }
  return new CliError(error instanceof Error ? error.message : String(error));
}
