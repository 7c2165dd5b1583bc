import type postgres from 'postgres';

/**
 * Thrown when a call waited longer than the acquire timeout for a pool connection. The
 * message is generic on purpose: it reaches clients (as SERVICE_UNAVAILABLE).
 */
export class DatabaseBusyError extends Error {
  readonly code = 'DATABASE_BUSY';
  constructor(waitedMs: number) {
    super(`No database connection became free within ${waitedMs} ms`);
    this.name = 'DatabaseBusyError';
  }
}

/** True for DatabaseBusyError, also when wrapped (drizzle wraps driver errors in its own). */
export function isDatabaseBusy(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DatabaseBusyError) return true;
  }
  return false;
}

/** The parts of a postgres.js Query this wrapper touches (its internals are untyped). */
interface PendingQuery {
  handle(): Promise<void>;
  executed: boolean;
  /** Set by the connection that runs it; null while it waits in the pool's queue. */
  state: unknown;
  active: boolean;
  cancelled: unknown;
  reject(error: unknown): void;
  cancel(): unknown;
}

const isQuery = (value: unknown): value is PendingQuery =>
  value instanceof Promise &&
  typeof (value as Partial<PendingQuery>).handle === 'function' &&
  typeof (value as Partial<PendingQuery>).cancel === 'function';

/**
 * postgres.js queues a call without limit while every connection is taken. This bounds that
 * wait: a query still queued after `ms` is taken out of the queue (postgres.js's own cancel,
 * which for a query not yet sent only dequeues it) and fails with DatabaseBusyError; a
 * transaction whose BEGIN has not run by then fails the same way and, if BEGIN runs later,
 * rolls back at once without running its body.
 *
 * Queries that get a connection at once (the normal case) arm no timer.
 */
export function withAcquireTimeout(sql: postgres.Sql, ms: number): postgres.Sql {
  const guard = (query: PendingQuery) => {
    const handle = query.handle;
    query.handle = function (this: PendingQuery) {
      if (query.executed) return handle.call(this);
      const handled = handle.call(this);
      // By the time handle() settles, the pool has either given the query a connection
      // (state set) or queued it.
      void handled.then(() => {
        if (query.state != null || query.active || query.cancelled) return;
        const reject = query.reject;
        let timedOut = false;
        query.reject = (error) => reject(timedOut ? new DatabaseBusyError(ms) : error);
        setTimeout(() => {
          if (query.state != null || query.active || query.cancelled) return;
          timedOut = true;
          void query.cancel();
        }, ms).unref();
      });
      return handled;
    };
    return query;
  };

  const begin = (target: postgres.Sql, args: unknown[]) => {
    const fn = args[args.length - 1] as (tx: postgres.TransactionSql) => unknown;
    const options = args.length > 1 ? (args[0] as string) : '';
    let started = false;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const run = target.begin(options, (tx) => {
      started = true;
      clearTimeout(timer);
      // Too late: the caller has been told already. Roll back without running the body.
      if (timedOut) throw new DatabaseBusyError(ms);
      return fn(tx) as never;
    });
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (started) return;
        timedOut = true;
        reject(new DatabaseBusyError(ms));
      }, ms);
      timer.unref();
    });
    run.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    );
    // Whichever loses the race must not surface as an unhandled rejection.
    expired.catch(() => {});
    return Promise.race([run, expired]);
  };

  return new Proxy(sql, {
    apply(target, self, args) {
      const result = Reflect.apply(target, self, args);
      return isQuery(result) ? guard(result) : result;
    },
    get(target, key, receiver) {
      if (key === 'unsafe' || key === 'file') {
        return (...args: unknown[]) => {
          const result = (Reflect.get(target, key, receiver) as (...a: unknown[]) => unknown)(
            ...args,
          );
          return isQuery(result) ? guard(result) : result;
        };
      }
      if (key === 'begin') return (...args: unknown[]) => begin(target, args);
      return Reflect.get(target, key, receiver);
    },
  });
}
