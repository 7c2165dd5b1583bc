import { codeAndReason, FATAL_CODES } from '@estuary/client/follow';
import { TRPCClientError } from '@trpc/client';

/** What the server said about a failure, read defensively: transport errors carry no data. */
export interface ErrorInfo {
  code: string | undefined;
  reason: string | undefined;
  message: string;
}

export function errorInfo(error: unknown): ErrorInfo {
  const { code, reason } = codeAndReason(error);
  return {
    code,
    reason,
    message: error instanceof TRPCClientError ? error.message : String(error),
  };
}

/**
 * Codes that mean "this request will never succeed as it is"; anything else may be retried.
 * The stream's fatal codes, and for a single call also what its own input caused.
 */
const PERMANENT = new Set([
  ...FATAL_CODES,
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'INTERNAL_SERVER_ERROR',
]);

export const isPermanent = (error: unknown) => PERMANENT.has(errorInfo(error).code ?? '');

/** What to tell the user: the server's words when it answered, plain ones when it did not. */
export function userMessage(error: unknown): string {
  const { code, message } = errorInfo(error);
  if (code === undefined) return 'Could not reach the server';
  if (code === 'TOO_MANY_REQUESTS') return 'Sending too fast; slow down a little';
  if (code === 'INTERNAL_SERVER_ERROR') return 'The server had a problem';
  return message;
}
