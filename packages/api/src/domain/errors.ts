import { TRPCError } from '@trpc/server';

type Code =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOO_MANY_REQUESTS'
  | 'PAYLOAD_TOO_LARGE';

export { STALE_EVENT_ID } from '../client-constants';

/**
 * A domain failure with the contract's error code. It extends TRPCError so procedures can
 * let it through untouched; other transports read `.code` and `.message` the same way.
 */
export class ChatError extends TRPCError {
  readonly reason: string | undefined;

  constructor(code: Code, message: string, reason?: string) {
    super({ code, message });
    this.reason = reason;
  }
}

export const notFound = (what: string) => new ChatError('NOT_FOUND', `${what} not found`);
export const forbidden = (message: string) => new ChatError('FORBIDDEN', message);
export const badRequest = (message: string) => new ChatError('BAD_REQUEST', message);
export const conflict = (message: string) => new ChatError('CONFLICT', message);

/** TOO_MANY_REQUESTS with the wait, in the message and in `error.data.retryAfterMs`. */
export class RetryLaterError extends ChatError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super('TOO_MANY_REQUESTS', `${message}; retry in ${retryAfterMs} ms`);
  }
}
