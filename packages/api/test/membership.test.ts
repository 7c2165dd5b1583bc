import { createPostgresBus } from '@estuary/realtime';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../src/deps';
import { topics } from '../src/events';
import { MembershipCache } from '../src/live/membership';
import { book, codeOf, type Stack, startStack } from './harness';

// The Postgres bus: a second process's cache hears removals the way apps/ws would.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ bus: 'postgres' });
});
afterAll(() => stack.close());

async function group() {
  const owner = await stack.signUp('practitioner', 'Owner');
  const [ben, cleo] = [await stack.signUp('client', 'Ben'), await stack.signUp('client', 'Cleo')];
  await book(owner, ben);
  await book(owner, cleo);
  const conversation = await owner.client.conversation.createGroup.mutate({
    title: 'Circle',
    participantIds: [ben.user.id, cleo.user.id],
  });
  return { owner, ben, cleo, id: conversation.id };
}

const outcome = (check: Promise<void>) =>
  check.then(
    () => 'member',
    (e: { code?: string }) => e.code ?? String(e),
  );

describe('membership cache', () => {
  it('answers from memory once checked, and still refuses strangers and unknown conversations', async () => {
    const { ben, id } = await group();
    const cache = stack.services.membership;
    expect(await outcome(cache.require(id, ben.user.id))).toBe('member');
    // Proof it is remembered: a row deleted behind the app's back (no event) is not seen.
    await stack.db.execute(
      sql`delete from conversation_participants where conversation_id = ${id} and user_id = ${ben.user.id}`,
    );
    expect(await outcome(cache.require(id, ben.user.id))).toBe('member');
    const stranger = await stack.signUp('client');
    expect(await outcome(cache.require(id, stranger.user.id))).toBe('FORBIDDEN');
    expect(await outcome(cache.require(crypto.randomUUID(), ben.user.id))).toBe('NOT_FOUND');
  });

  it('a removal takes effect at once in this process: the next call is refused', async () => {
    const { owner, ben, cleo, id } = await group();
    // Both members' checks are cached by a first call each.
    await ben.client.conversation.get.query({ conversationId: id });
    await cleo.client.conversation.get.query({ conversationId: id });
    await owner.client.conversation.removeParticipant.mutate({
      conversationId: id,
      userId: ben.user.id,
    });
    expect(await codeOf(ben.client.conversation.get.query({ conversationId: id }))).toBe(
      'FORBIDDEN',
    );
    await cleo.client.conversation.leave.mutate({ conversationId: id });
    expect(await codeOf(cleo.client.conversation.get.query({ conversationId: id }))).toBe(
      'FORBIDDEN',
    );
    // The owner, still a member, is unaffected.
    expect((await owner.client.conversation.get.query({ conversationId: id })).id).toBe(id);
  });

  it('a removal in another process takes effect here as soon as its event arrives', async () => {
    const { owner, ben, id } = await group();
    // "Here" is a second process: its own bus connection and its own cache.
    const bus = createPostgresBus(stack.databaseUrl);
    const deps: Deps = { ...stack.services.deps, bus };
    const here = new MembershipCache(deps);
    try {
      // Listening before the removal is published: a NOTIFY sent before this bus's LISTEN
      // is up never reaches it (under a loaded suite, that wait ran out at 30 s).
      expect((await bus.check()).ok).toBe(true);
      expect(await outcome(here.require(id, ben.user.id))).toBe('member');
      const arrived = new Promise<void>((resolve) => {
        const stop = bus.listen(topics.members(id), () => {
          stop();
          resolve();
        });
      });
      // Removed through the first process (the stack), which publishes on its own bus.
      await owner.client.conversation.removeParticipant.mutate({
        conversationId: id,
        userId: ben.user.id,
      });
      await arrived;
      expect(await outcome(here.require(id, ben.user.id))).toBe('FORBIDDEN');
    } finally {
      here.close();
      await bus.close();
    }
  });
});
