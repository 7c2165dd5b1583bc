import type { Db } from '@estuary/db';
import { GAP } from '@estuary/realtime';
import { sql } from 'drizzle-orm';
import type { Deps } from '../deps';
import { uuidList } from '../domain/sql';
import { type MembersBusEvent, topics } from '../events';
import { coalesce } from './coalesce';

interface Watcher {
  userId: string;
  revoke: () => void;
}

/**
 * Ends live subscriptions the moment their user leaves the conversation. Listens to each
 * watched conversation's membership topic; after a bus gap it re-reads the participants (one
 * query for all gapped conversations), so a missed "removed" event still revokes access.
 */
export class AccessWatch {
  private readonly conversations = new Map<
    string,
    { watchers: Set<Watcher>; unlisten: () => void }
  >();
  private readonly recheck = coalesce<string>((ids) => this.recheckAll(ids), 2_000);

  constructor(private readonly deps: Deps) {}

  watch(conversationId: string, userId: string, revoke: () => void): () => void {
    let entry = this.conversations.get(conversationId);
    if (!entry) {
      const unlisten = this.deps.bus.listen(topics.members(conversationId), (payload) => {
        if (payload === GAP) this.recheck(conversationId);
        else if ((payload as MembersBusEvent).type === 'removed') {
          this.revokeUser(conversationId, (payload as MembersBusEvent).userId);
        }
      });
      entry = { watchers: new Set(), unlisten };
      this.conversations.set(conversationId, entry);
    }
    const watcher: Watcher = { userId, revoke };
    entry.watchers.add(watcher);
    return () => {
      const current = this.conversations.get(conversationId);
      if (!current) return;
      current.watchers.delete(watcher);
      if (current.watchers.size === 0) {
        current.unlisten();
        this.conversations.delete(conversationId);
      }
    };
  }

  private revokeUser(conversationId: string, userId: string) {
    for (const watcher of this.conversations.get(conversationId)?.watchers ?? []) {
      if (watcher.userId === userId) watcher.revoke();
    }
  }

  private async recheckAll(ids: string[]) {
    const watched = ids.filter((id) => this.conversations.has(id));
    if (watched.length === 0) return;
    try {
      const rows = await (this.deps.db as Db).execute<{ c: string; u: string }>(sql`
        select conversation_id as c, user_id as u from conversation_participants
        where conversation_id in ${uuidList(watched)}`);
      const members = new Set(rows.map((r) => `${r.c}/${r.u}`));
      for (const id of watched) {
        for (const watcher of this.conversations.get(id)?.watchers ?? []) {
          if (!members.has(`${id}/${watcher.userId}`)) watcher.revoke();
        }
      }
    } catch (error) {
      this.deps.log('warn', 'membership recheck failed', { error: String(error) });
    }
  }
}
