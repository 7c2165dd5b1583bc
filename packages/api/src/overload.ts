import { isDatabaseBusy } from '@estuary/db';
import { TRPCError } from '@trpc/server';

/** Postgres `query_canceled`: here, a statement that ran past `statement_timeout`. */
const QUERY_CANCELED = '57014';

const causes = function* (error: unknown) {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    yield e;
  }
};

/**
 * A call that failed because the database is saturated (no connection came free in time, or
 * a statement ran past its timeout) becomes SERVICE_UNAVAILABLE with a generic message: the
 * client may retry, and learns nothing about the query.
 */
export function overloadError(error: unknown): TRPCError | null {
  const timedOut =
    isDatabaseBusy(error) ||
    [...causes(error)].some((e) => (e as { code?: unknown }).code === QUERY_CANCELED);
  if (!timedOut) return null;
  return new TRPCError({
    code: 'SERVICE_UNAVAILABLE',
    message: 'The server is busy; retry shortly',
    cause: error instanceof Error ? error : undefined,
  });
}
