import { sql } from 'drizzle-orm';
import type postgres from 'postgres';

/** postgres.js, outside or inside a transaction: the hot paths' client (see ./README.md). */
export type Sql = postgres.Sql | postgres.TransactionSql;

/** `(id1, id2, …)` for drizzle `in` clauses. Callers skip the query when `ids` is empty. */
export const uuidList = (ids: readonly string[]) =>
  sql`(${sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  )})`;
