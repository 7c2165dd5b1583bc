import { TRPCClientError } from '@trpc/client';

/** What the server said about a failure, read defensively: transport errors carry no data. */
export interface ErrorInfo {
  code: string | undefined;
  reason: string | undefined;
  message: string;
}

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string; reason?: string } | undefined;
    return { code: data?.code, reason: data?.reason, message: error.message };
  }
  return { code: undefined, reason: undefined, message: String(error) };
}

/** Codes that mean "this request will never succeed as it is"; anything else may be retried. */
const PERMANENT = new Set([
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'INTERNAL_SERVER_ERROR',
]);

export const isPermanent = (error: unknown) => PERMANENT.has(errorInfo(error).code ?? '');
