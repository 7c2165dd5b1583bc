import { createLoader, GAP } from '@estuary/realtime';
import type { Deps } from '../deps';
import { participantChecks, throwUnlessParticipant } from '../domain/conversations';
import { type MembersBusEvent, topics } from '../events';

/** Conversations whose members are remembered here; the least recently used go first. */
const MAX_CONVERSATIONS = 20_000;
/** A safety net only: removals reach the cache through the bus at once (see below). */
const TTL_MS = 5 * 60_000;

interface Entry {
  members: Set<string>;
  /** Bumped by every removal or bus gap: a read begun before it must not be stored. */
  generation: number;
  at: number;
  unlisten: () => void;
}

/**
 * Who is a member of which conversation, as far as this process has checked: the membership
 * check behind every conversation procedure and subscription, without a query each time.
 * Only "is a member" is remembered. It is forgotten at once when the conversation's members
 * topic says "removed" (from any process; a removal here also forgets it directly) or when
 * the bus reports a gap, and a read that raced a removal is not stored.
 */
export class MembershipCache {
  private readonly conversations = new Map<string, Entry>();
  /** Checks not answered from memory, gathered into one query per tick. */
  private readonly checks = createLoader((keys: string[]) =>
    participantChecks(
      this.deps.db,
      keys.map((key) => {
        const [conversationId = '', userId = ''] = key.split('/');
        return { conversationId, userId };
      }),
    ),
  );

  constructor(private readonly deps: Deps) {}

  /** NOT_FOUND or FORBIDDEN as `requireParticipant`, answered from memory when it can be. */
  async require(conversationId: string, userId: string): Promise<void> {
    const now = Date.now();
    let entry = this.conversations.get(conversationId);
    if (entry && now - entry.at > TTL_MS) {
      this.drop(conversationId);
      entry = undefined;
    }
    if (entry) {
      // Most recently used last, so eviction takes the oldest.
      this.conversations.delete(conversationId);
      this.conversations.set(conversationId, entry);
      if (entry.members.has(userId)) return;
    } else {
      entry = this.open(conversationId, now);
    }
    // Listening already: a removal that commits during the read bumps the generation.
    const generation = entry.generation;
    throwUnlessParticipant(await this.checks.load(`${conversationId}/${userId}`));
    if (entry.generation === generation && this.conversations.get(conversationId) === entry)
      entry.members.add(userId);
  }

  /** The user left or was removed (called by this process's removal, before it publishes). */
  forget(conversationId: string, userId: string) {
    const entry = this.conversations.get(conversationId);
    if (!entry) return;
    entry.members.delete(userId);
    entry.generation++;
  }

  /** Conversations remembered (tests). */
  get size() {
    return this.conversations.size;
  }

  close() {
    for (const id of [...this.conversations.keys()]) this.drop(id);
  }

  private open(conversationId: string, now: number): Entry {
    while (this.conversations.size >= MAX_CONVERSATIONS) {
      const oldest = this.conversations.keys().next().value;
      if (oldest === undefined) break;
      this.drop(oldest);
    }
    const entry: Entry = { members: new Set(), generation: 0, at: now, unlisten: () => {} };
    entry.unlisten = this.deps.bus.listen(topics.members(conversationId), (payload) => {
      if (payload === GAP) {
        entry.members.clear();
        entry.generation++;
      } else if ((payload as MembersBusEvent).type === 'removed') {
        this.forget(conversationId, (payload as MembersBusEvent).userId);
      }
    });
    this.conversations.set(conversationId, entry);
    return entry;
  }

  private drop(conversationId: string) {
    const entry = this.conversations.get(conversationId);
    if (!entry) return;
    entry.unlisten();
    entry.generation++;
    this.conversations.delete(conversationId);
  }
}
