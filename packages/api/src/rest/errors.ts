import type { AnyRouter } from '@trpc/server';
import { getTRPCErrorFromUnknown, getTRPCErrorShape, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';

/** The REST error body: the tRPC code, the router's message and the zod issues, if any. */
export interface RestError {
  code: string;
  message: string;
  issues?: unknown[];
}

/** Any error, as the router's error formatter shapes it, with its HTTP status. */
export function restError(
  router: AnyRouter,
  cause: unknown,
  path?: string,
): { status: number; body: RestError; error: TRPCError } {
  const error = getTRPCErrorFromUnknown(cause);
  const shape = getTRPCErrorShape({
    config: router._def._config,
    error,
    type: 'unknown',
    path,
    input: undefined,
    ctx: undefined,
  }) as { message: string; data: { code: string; issues?: unknown[] } };
  return {
    status: getHTTPStatusCodeFromError(error),
    body: {
      code: shape.data.code,
      message: shape.message,
      ...(shape.data.issues ? { issues: shape.data.issues } : {}),
    },
    error,
  };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });

export { TRPCError };
