import type { DbOrTx } from '@estuary/db';
import { createBatcher } from '@estuary/realtime';
import { type SQL, sql } from 'drizzle-orm';
import type { Deps } from '../deps';
import { type PresenceBusEvent, publish, topics } from '../events';
import type { PresenceState } from './types';

/** A node whose heartbeat is older than this is presumed dead, and its sockets with it. */
export const NODE_STALE_SECONDS = 30;
/** A batch that failed (Postgres away) is tried again after this long. */
const RETRY_MS = 1_000;

// `user` is a uuid, or a column reference when used inside a larger query.
const liveRowsOf = (user: string | SQL) => sql`
  select 1 from presence_connections pc join nodes n on n.id = pc.node_id
  where pc.user_id = ${user}
    and n.heartbeat_at > now() - make_interval(secs => ${NODE_STALE_SECONDS})`;

export async function listPresence(db: DbOrTx, conversationId: string): Promise<PresenceState[]> {
  return db.execute<PresenceState>(sql`
    select p.user_id as "userId",
           case when exists (${liveRowsOf(sql.raw('p.user_id'))}) then 'online' else 'offline' end as status,
           u.last_seen_at as "lastSeenAt"
    from conversation_participants p join users u on u.id = p.user_id
    where p.conversation_id = ${conversationId}
    order by p.joined_at`);
}

/**
 * Presence across processes. Each process counts its own sockets per user and writes only
 * the 0→1 and 1→0 transitions to Postgres, so "online" means "some live node has a socket".
 * Transitions are gathered (the connect ramp brings thousands a second) and written in one
 * transaction per batch; users whose transitions overlap are serialised by advisory locks,
 * taken in one order, so two nodes never both announce the same change nor deadlock. Nodes
 * heartbeat; a dead node's users are swept offline.
 */
export class PresenceTracker {
  private readonly sockets = new Map<string, number>();
  private readonly chains = new Map<string, Promise<void>>();
  private heartbeat: NodeJS.Timeout | null = null;

  /** Users whose last socket here closed, and when: announced offline after the grace. */
  private readonly leaving = new Map<string, { at: Date; timer: NodeJS.Timeout }>();
  /** Users past the grace, waiting for the next batch to write them offline, and since when. */
  private readonly gone = new Map<string, Date>();
  /** Set by stop(): a failed batch is then not tried again. */
  private stopped = false;
  /**
   * Users whose state changed here. A batch reconciles each with what this process holds
   * when it runs: a user who left and came back between two batches costs nothing.
   */
  private readonly changes = createBatcher<string>((users) => this.reconcile(users), {
    windowMs: 5,
    unique: true,
  });

  /**
   * `graceMs`: how long a user whose last socket closed still counts as online. A socket
   * recycled for a fresh token, a page reload or a short network blip reconnects well
   * within it, so presence does not flap offline and back.
   */
  constructor(
    private readonly deps: Deps,
    readonly nodeId: string,
    private readonly graceMs = 5_000,
    private readonly heartbeatMs = 10_000,
  ) {}

  async start() {
    await this.deps.db.execute(sql`
      insert into nodes (id) values (${this.nodeId})
      on conflict (id) do update set heartbeat_at = now()`);
    this.heartbeat = setInterval(() => void this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
  }

  private async beat() {
    try {
      await this.deps.db.execute(
        sql`update nodes set heartbeat_at = now() where id = ${this.nodeId}`,
      );
      await this.sweepDeadNodes();
    } catch (error) {
      this.deps.log('warn', 'presence heartbeat failed', { error: String(error) });
    }
  }

  connected(userId: string) {
    const n = (this.sockets.get(userId) ?? 0) + 1;
    this.sockets.set(userId, n);
    if (n > 1) return;
    const leaving = this.leaving.get(userId);
    if (leaving) {
      // Back within the grace: the row never went away, and nobody was told otherwise.
      clearTimeout(leaving.timer);
      this.leaving.delete(userId);
      return;
    }
    this.gone.delete(userId);
    void this.changes.push(userId);
  }

  disconnected(userId: string) {
    const n = (this.sockets.get(userId) ?? 0) - 1;
    if (n > 0) {
      this.sockets.set(userId, n);
      return;
    }
    this.sockets.delete(userId);
    const at = new Date();
    const timer = setTimeout(() => {
      this.leaving.delete(userId);
      this.goOffline(userId, at);
    }, this.graceMs);
    timer.unref();
    this.leaving.set(userId, { at, timer });
  }

  private goOffline(userId: string, at: Date) {
    this.gone.set(userId, at);
    void this.changes.push(userId);
  }

  /** Transitions of one user run in order; different users run in parallel (the sweep's). */
  private enqueue(userId: string, step: () => Promise<void>) {
    const previous = this.chains.get(userId) ?? Promise.resolve();
    const next = previous
      .then(step)
      .catch((error) => this.deps.log('warn', 'presence update failed', { error: String(error) }));
    this.chains.set(userId, next);
    void next.then(() => {
      if (this.chains.get(userId) === next) this.chains.delete(userId);
    });
  }

  /**
   * One transaction for a batch: users with a socket here get their row (announced online if
   * no live node had one); users gone past the grace lose theirs (announced offline, with
   * lastSeenAt, unless another node still has them). Users still in their grace wait.
   */
  private async reconcile(users: string[]) {
    const up = users.filter((u) => this.sockets.has(u));
    const down = users.filter((u) => !this.sockets.has(u) && this.gone.has(u));
    // As text: drizzle's postgres.js driver has no serializer for an array of timestamps.
    const at = down.map((u) => (this.gone.get(u) as Date).toISOString());
    for (const u of down) this.gone.delete(u);
    if (up.length === 0 && down.length === 0) return;
    try {
      const { online, offline } = await this.deps.db.transaction(async (tx) => {
        // One array parameter each (a bare array would expand into a list).
        const list = (ids: string[]) => sql`unnest(${sql.param(ids)}::uuid[])`;
        await tx.execute(sql`
          select count(pg_advisory_xact_lock(k)) from (
            select distinct hashtext(u::text) as k from ${list([...up, ...down])} as t(u) order by k
          ) locks`);
        let online: string[] = [];
        if (up.length > 0) {
          const rows = await tx.execute<{ userId: string; was: boolean }>(sql`
            select u as "userId", exists (${liveRowsOf(sql.raw('u'))}) as was from ${list(up)} as t(u)`);
          online = rows.filter((r) => !r.was).map((r) => r.userId);
          await tx.execute(sql`
            insert into presence_connections (node_id, user_id, connections)
            select ${this.nodeId}, u, 1 from ${list(up)} as t(u)
            on conflict (node_id, user_id) do update set connections = 1, updated_at = now()`);
        }
        let offline: { userId: string; lastSeenAt: Date }[] = [];
        if (down.length > 0) {
          await tx.execute(sql`
            delete from presence_connections
            where node_id = ${this.nodeId} and user_id = any(${sql.param(down)}::uuid[])`);
          offline = await tx.execute<{ userId: string; lastSeenAt: Date }>(sql`
            update users set last_seen_at = d.at::timestamptz
            from unnest(${sql.param(down)}::uuid[], ${sql.param(at)}::text[]) d(id, at)
            where users.id = d.id and not exists (${liveRowsOf(sql.raw('d.id'))})
            returning users.id as "userId", users.last_seen_at as "lastSeenAt"`);
        }
        return { online, offline };
      });
      for (const userId of online)
        await publish(this.deps, topics.presence, {
          userId,
          status: 'online',
          lastSeenAt: null,
        } satisfies PresenceBusEvent);
      for (const { userId, lastSeenAt } of offline)
        await publish(this.deps, topics.presence, {
          userId,
          status: 'offline',
          lastSeenAt,
        } satisfies PresenceBusEvent);
    } catch (error) {
      // Nobody awaits a batch: say so once, and try its users again in a second (unless they
      // changed meanwhile), so nobody stays online, or missing, because of one failed batch.
      this.deps.log('warn', 'presence update failed', {
        error: String(error),
        users: users.length,
      });
      down.forEach((u, i) => {
        if (!this.sockets.has(u) && !this.gone.has(u)) this.gone.set(u, new Date(at[i] as string));
      });
      if (this.stopped) return;
      const retry = setTimeout(() => {
        for (const u of users)
          if (this.sockets.has(u) || this.gone.has(u)) void this.changes.push(u);
      }, RETRY_MS);
      retry.unref();
    }
  }

  /** Any node may sweep: the delete decides which sweeper owns each dead row. */
  async sweepDeadNodes() {
    const gone = await this.deps.db.execute<{ userId: string; lastSeenAt: Date }>(sql`
      with dead as (
        delete from nodes where heartbeat_at < now() - make_interval(secs => ${NODE_STALE_SECONDS})
        returning id, heartbeat_at
      ), rows as (
        delete from presence_connections pc using dead where pc.node_id = dead.id
        returning pc.user_id, dead.heartbeat_at
      )
      select user_id as "userId", max(heartbeat_at) as "lastSeenAt" from rows group by user_id`);
    for (const { userId, lastSeenAt } of gone) {
      this.enqueue(userId, async () => {
        const [still] = await this.deps.db.execute<{ online: boolean }>(
          sql`select exists (${liveRowsOf(userId)}) as online`,
        );
        if (still?.online || this.sockets.has(userId) || this.leaving.has(userId)) return;
        await this.deps.db.execute(
          sql`update users set last_seen_at = ${lastSeenAt} where id = ${userId}`,
        );
        await publish(this.deps, topics.presence, {
          userId,
          status: 'offline',
          lastSeenAt,
        } satisfies PresenceBusEvent);
      });
    }
  }

  /** Graceful shutdown: everyone connected here goes offline (unless online elsewhere). */
  async stop() {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    const now = new Date();
    for (const userId of [...this.sockets.keys()]) {
      this.sockets.delete(userId);
      this.goOffline(userId, now);
    }
    for (const [userId, { at, timer }] of this.leaving) {
      clearTimeout(timer);
      this.goOffline(userId, at);
    }
    this.leaving.clear();
    await this.changes.drain();
    await Promise.all(this.chains.values());
    await this.deps.db.execute(sql`delete from nodes where id = ${this.nodeId}`).catch(() => {});
  }
}
