import { randomUUID } from 'node:crypto';
import type { MessageEvent, Receipt, TypingChange } from '@estuary/api';
import type { ChatClient } from '@estuary/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from './fixtures';
import { type Frame, legacySocket, until } from './legacy-socket';
import { startNode, type WsNode } from './nodes';

// The old chat's front ends, replayed frame by frame against a real apps/ws process, with
// typed clients in the same conversations.

let world: World;
let node: WsNode;
const tokensUsed: string[] = [];
beforeAll(async () => {
  world = await startWorld();
  node = await startNode({ DATABASE_URL: world.url, LOG_LEVEL: 'debug' });
});
afterAll(async () => {
  await node?.kill();
  await world?.close();
});

const token = async (userId: string, ttlSeconds?: number) => {
  const { token } = await world.tokens.issue(userId, 'access', ttlSeconds);
  tokensUsed.push(token);
  return token;
};

/** A typed client's live view of a conversation: message events, typing and receipts. */
function follow(client: ChatClient, conversationId: string) {
  const seen = {
    events: [] as MessageEvent[],
    typing: [] as TypingChange[],
    reads: [] as Receipt[],
  };
  const subs = [
    // From the start of the (new) conversation: nothing said before the stream attaches is lost.
    client.message.onEvent.subscribe(
      { conversationId, lastEventId: '0' },
      { onData: ({ data }) => seen.events.push(data) },
    ),
    client.typing.onChange.subscribe({ conversationId }, { onData: (t) => seen.typing.push(t) }),
    client.receipt.onRead.subscribe({ conversationId }, { onData: (r) => seen.reads.push(r) }),
  ];
  return {
    ...seen,
    stop: () => {
      for (const s of subs) s.unsubscribe();
    },
  };
}

/** A conversation of a legacy user and a typed user, both live. */
async function pair() {
  const [ada, chloe] = [await world.user('practitioner'), await world.user('client')];
  const group = await world.group(ada, [chloe]);
  const typed = world.client(chloe, node.url);
  const view = follow(typed, group.id);
  // The typed side is live once its own message comes back.
  const probe = await typed.message.send.mutate({
    conversationId: group.id,
    clientId: randomUUID(),
    content: 'probe',
  });
  await until(() => view.events.some((e) => e.message.id === probe.id));
  const legacy = await legacySocket(node.url, group.id, await token(ada.id));
  return { ada, chloe, group, typed, view, legacy };
}

describe('the old chat protocol at /ws/chat/<id>/', () => {
  it('carries chat messages both ways, every field, and the old client sees its own echo', async () => {
    const { ada, chloe, group, typed, view, legacy } = await pair();

    legacy.send({ type: 'chat_message', content: '  Hello from the old app  ', attachments: null });
    const fromLegacy = await until(() =>
      view.events.find((e) => e.message.senderId === ada.id && e.type === 'message.created'),
    );
    expect(fromLegacy.message).toMatchObject({
      conversationId: group.id,
      senderId: ada.id,
      senderName: ada.name,
      content: 'Hello from the old app',
      editedAt: null,
      deletedAt: null,
      replyToId: null,
    });
    const echo = await legacy.frame((f) => f.type === 'chat_message');
    expect(echo).toEqual({
      type: 'chat_message',
      message_id: fromLegacy.message.id,
      content: 'Hello from the old app',
      sender_id: ada.id,
      sender_name: ada.name,
      timestamp: fromLegacy.message.createdAt.toISOString(),
      is_edited: false,
      attachments: null,
    });

    // `attachments` may also be absent or an empty list.
    legacy.send({ type: 'chat_message', content: 'no attachments field' });
    legacy.send({ type: 'chat_message', content: 'empty list', attachments: [] });
    await until(() => view.events.some((e) => e.message.content === 'empty list'));

    const sent = await typed.message.send.mutate({
      conversationId: group.id,
      clientId: randomUUID(),
      content: 'Hi Ada, from the new app',
    });
    expect(await legacy.frame((f) => f.message_id === sent.id)).toEqual({
      type: 'chat_message',
      message_id: sent.id,
      content: 'Hi Ada, from the new app',
      sender_id: chloe.id,
      sender_name: chloe.name,
      timestamp: sent.createdAt.toISOString(),
      is_edited: false,
      attachments: null,
    });

    await typed.message.edit.mutate({ messageId: sent.id, content: 'Hi Ada (edited)' });
    expect(await legacy.frame((f) => f.type === 'message_edited')).toEqual({
      type: 'message_edited',
      message_id: sent.id,
      content: 'Hi Ada (edited)',
    });

    await typed.message.delete.mutate({ messageId: sent.id });
    await legacy.frame((f) => f.type === 'message_deleted');
    const afterDelete = legacy.frames.filter((f) => f.message_id === sent.id).slice(-2);
    expect(afterDelete).toEqual([
      { type: 'message_edited', message_id: sent.id, content: '' },
      { type: 'message_deleted', message_id: sent.id },
    ]);
    view.stop();
    await legacy.close();
  });

  it('keeps the order of messages said through both protocols', async () => {
    const { ada, group, typed, view, legacy } = await pair();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      if (i % 2 === 0) legacy.send({ type: 'chat_message', content: `m${i}`, attachments: null });
      else
        sends.push(
          typed.message.send.mutate({
            conversationId: group.id,
            clientId: randomUUID(),
            content: `m${i}`,
          }),
        );
    }
    await Promise.all(sends);
    const created = () =>
      view.events.filter((e) => e.type === 'message.created' && e.message.content.startsWith('m'));
    await until(() => created().length === 10);
    await until(() => legacy.ofType('chat_message').length === 10);
    const typedOrder = created().map((e) => e.message.id);
    expect(legacy.ofType('chat_message').map((f) => f.message_id)).toEqual(typedOrder);
    const seqs = created().map((e) => e.message.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // The old client's own messages keep the order it sent them in.
    const mine = created().filter((e) => e.message.senderId === ada.id);
    expect(mine.map((e) => e.message.content)).toEqual(['m0', 'm2', 'm4', 'm6', 'm8']);
    view.stop();
    await legacy.close();
  });

  it('translates typing, never echoing it to the typist', async () => {
    const { ada, chloe, group, typed, view, legacy } = await pair();
    // The typed side's subscription may attach a moment after the socket opens: repeat (a
    // refresh of a state already shown is not news, so repeats add no frames).
    await until(() => {
      legacy.send({ type: 'typing_indicator', is_typing: true });
      return view.typing.find((t) => t.userId === ada.id && t.isTyping);
    });
    expect(view.typing.find((t) => t.userId === ada.id)).toEqual({
      conversationId: group.id,
      userId: ada.id,
      name: ada.name,
      isTyping: true,
    });
    legacy.send({ type: 'typing_indicator', is_typing: false });
    await until(() => view.typing.find((t) => t.userId === ada.id && !t.isTyping));

    await until(() => {
      void typed.typing.set.mutate({ conversationId: group.id, isTyping: true });
      return legacy.frames.find((f) => f.type === 'typing_indicator');
    });
    expect(legacy.ofType('typing_indicator')[0]).toEqual({
      type: 'typing_indicator',
      user_id: chloe.id,
      username: chloe.name,
      is_typing: true,
    });
    expect(legacy.ofType('typing_indicator').every((f) => f.user_id !== ada.id)).toBe(true);
    view.stop();
    await legacy.close();
  });

  it('moves read watermarks both ways, naming the newest message the watermark covers', async () => {
    const { ada, chloe, group, typed, view, legacy } = await pair();
    const first = await typed.message.send.mutate({
      conversationId: group.id,
      clientId: randomUUID(),
      content: 'one',
    });
    const second = await typed.message.send.mutate({
      conversationId: group.id,
      clientId: randomUUID(),
      content: 'two',
    });
    await legacy.frame((f) => f.message_id === second.id);

    legacy.send({ type: 'read_receipt', message_id: first.id });
    const read = await until(() => view.reads.find((r) => r.userId === ada.id));
    expect(read.lastReadSeq).toBe(first.seq);
    const receipts = await typed.receipt.list.query({ conversationId: group.id });
    expect(receipts.find((r) => r.userId === ada.id)?.lastReadSeq).toBe(first.seq);

    await typed.receipt.markRead.mutate({ conversationId: group.id, seq: second.seq });
    expect(await legacy.frame((f) => f.type === 'read_receipt' && f.user_id === chloe.id)).toEqual({
      type: 'read_receipt',
      message_id: second.id,
      user_id: chloe.id,
    });
    view.stop();
    await legacy.close();
  });

  it('announces other participants going online and offline', async () => {
    const { group, legacy } = await pair();
    const dev = await world.user('practitioner');
    const owner = group.participants[0];
    if (!owner) throw new Error('no owner');
    const ownerClient = world.client(
      { id: owner.userId, name: owner.name, role: owner.role, email: '', externalId: null },
      node.url,
    );
    await ownerClient.conversation.addParticipant.mutate({
      conversationId: group.id,
      userId: dev.id,
    });
    const devClient = world.client(dev, node.url);
    await devClient.auth.me.query();
    expect(
      await legacy.frame(
        (f) => f.type === 'user_status' && f.user_id === dev.id && f.status === 'online',
      ),
    ).toEqual({ type: 'user_status', user_id: dev.id, username: dev.name, status: 'online' });
    await devClient.close();
    await legacy.frame(
      (f) => f.type === 'user_status' && f.user_id === dev.id && f.status === 'offline',
      15_000,
    );
    // Never about the old client's own user.
    expect(legacy.ofType('user_status').every((f) => f.user_id !== owner.userId)).toBe(true);
    await legacy.close();
  });

  it('closes a socket with a bad, expired or missing token with 4001, sending nothing first', async () => {
    const [ada, chloe] = [await world.user('practitioner'), await world.user()];
    const group = await world.group(ada, [chloe]);
    const expired = await token(ada.id, -1);
    for (const bad of [null, '', 'not-a-token', expired]) {
      const socket = await legacySocket(node.url, group.id, bad);
      expect(await socket.closed).toBe(4001);
      expect(socket.closeReason).toMatch(/token/i);
      expect(socket.frames).toEqual([]);
    }
  });

  it('closes a socket whose token expires with 4001, as on the tRPC path', async () => {
    const [ada, chloe] = [await world.user('practitioner'), await world.user()];
    const group = await world.group(ada, [chloe]);
    const socket = await legacySocket(node.url, group.id, await token(ada.id, 2));
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    expect(await socket.closed).toBe(4001);
    expect(socket.closeReason).toBe('Token expired');
  });

  it('refuses a malformed conversation id in the path without harm', async () => {
    const ada = await world.user();
    const socket = await legacySocket(node.url, '%E0%A4%A', await token(ada.id));
    expect(await socket.closed).toBe(4004);
    expect((await fetch(`${node.http}/healthz`)).ok).toBe(true);
  });

  it('closes a socket of a non-member (4003) or for an unknown conversation (4004), sending nothing first', async () => {
    const [ada, chloe, mallory] = [
      await world.user('practitioner'),
      await world.user(),
      await world.user(),
    ];
    const group = await world.group(ada, [chloe]);
    const stranger = await legacySocket(node.url, group.id, await token(mallory.id));
    expect(await stranger.closed).toBe(4003);
    expect(stranger.closeReason).toMatch(/not a participant/);
    expect(stranger.frames).toEqual([]);
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const missing = await legacySocket(node.url, id, await token(ada.id));
      expect(await missing.closed).toBe(4004);
      expect(missing.frames).toEqual([]);
    }
  });

  it('ends the socket (4003) when its user is removed from the conversation', async () => {
    const { ada, chloe, group, legacy } = await pair();
    const owner = world.client(ada, node.url);
    await owner.conversation.removeParticipant.mutate({
      conversationId: group.id,
      userId: chloe.id,
    });
    const removed = await legacySocket(node.url, group.id, await token(chloe.id));
    expect(await removed.closed).toBe(4003);
    // And a live one: the legacy user (the owner) removed by... themselves is not allowed, so
    // add and remove a second legacy user.
    const dev = await world.user('practitioner');
    await owner.conversation.addParticipant.mutate({ conversationId: group.id, userId: dev.id });
    const devSocket = await legacySocket(node.url, group.id, await token(dev.id));
    await owner.conversation.removeParticipant.mutate({ conversationId: group.id, userId: dev.id });
    expect(await devSocket.closed).toBe(4003);
    await legacy.close();
  });

  it('answers malformed frames with an error frame and changes nothing', async () => {
    const { group, legacy } = await pair();
    const before = await world.eventLog(group.id);
    const cases: [unknown, string, RegExp][] = [
      ['{not json', 'BAD_REQUEST', /JSON/],
      [Buffer.from([1, 2, 3]), 'BAD_REQUEST', /JSON text/],
      [{ type: 'dance' }, 'BAD_REQUEST', /type/],
      [{ content: 'no type' }, 'BAD_REQUEST', /type/],
      [{ type: 'chat_message' }, 'BAD_REQUEST', /content/],
      [{ type: 'chat_message', content: 42 }, 'BAD_REQUEST', /content/],
      [{ type: 'chat_message', content: '   ' }, 'BAD_REQUEST', /content/],
      [{ type: 'chat_message', content: 'x'.repeat(4_001) }, 'BAD_REQUEST', /content/],
      [
        { type: 'chat_message', content: 'with a file', attachments: [{ id: randomUUID() }] },
        'BAD_REQUEST',
        /[Aa]ttachment/,
      ],
      [{ type: 'chat_message', content: 'x', attachments: 'nope' }, 'BAD_REQUEST', /attachments/],
      [{ type: 'typing_indicator', is_typing: 'yes' }, 'BAD_REQUEST', /is_typing/],
      [{ type: 'read_receipt' }, 'BAD_REQUEST', /message_id/],
      [{ type: 'read_receipt', message_id: 'nope' }, 'BAD_REQUEST', /message_id/],
      [{ type: 'read_receipt', message_id: randomUUID() }, 'NOT_FOUND', /Message not found/],
      [null, 'BAD_REQUEST', /./],
      [[], 'BAD_REQUEST', /./],
    ];
    for (const [frame, code, message] of cases) {
      const count = legacy.ofType('error').length;
      legacy.send(frame);
      await until(() => legacy.ofType('error').length > count);
      const error = legacy.ofType('error')[count] as Frame;
      expect(error, JSON.stringify(frame)?.slice(0, 80)).toMatchObject({ type: 'error', code });
      expect(error.message).toMatch(message);
    }
    expect(await world.eventLog(group.id)).toEqual(before);
    // The socket is still usable.
    legacy.send({ type: 'chat_message', content: 'still here', attachments: null });
    await legacy.frame((f) => f.type === 'chat_message' && f.content === 'still here');
    expect(legacy.ws.readyState).toBe(legacy.ws.OPEN);
    await legacy.close();
  });

  it('applies the same send rate limit as the router, shared with the typed path', async () => {
    const { ada, group, legacy } = await pair();
    const before = (await world.eventLog(group.id)).length;
    for (let i = 0; i < 30; i++) legacy.send({ type: 'chat_message', content: `burst ${i}` });
    await until(() => legacy.ofType('chat_message').length + legacy.ofType('error').length >= 30);
    const limited = legacy.ofType('error');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((f) => f.code === 'TOO_MANY_REQUESTS')).toBe(true);
    const stored = (await world.eventLog(group.id)).length - before;
    expect(stored).toBe(legacy.ofType('chat_message').length);
    expect(stored).toBeLessThanOrEqual(25);
    // One bucket per user, whichever door: the same user's typed client is limited too. Ten
    // at once: a fresh bucket would take them all (5 a second plus a burst of 15); the one the
    // legacy burst emptied refuses some.
    const typedAda = world.client(ada, node.url);
    const typed = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        typedAda.message.send.mutate({
          conversationId: group.id,
          clientId: randomUUID(),
          content: 'x',
        }),
      ),
    );
    const refused = typed.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused)
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/too fast/);
    await legacy.close();
  });

  it('cuts floods and oversize frames as on the tRPC path', async () => {
    const { legacy } = await pair();
    legacy.send('x'.repeat(65 * 1024));
    expect(await legacy.closed).toBe(1009);

    const second = await pair();
    for (let i = 0; i < 400; i++) second.legacy.send({ type: 'typing_indicator', is_typing: true });
    expect(await second.legacy.closed).toBe(4009);
  });

  it('gives a client that reconnects mid-stream nothing twice: live after connect, history from REST', async () => {
    const { group, typed, legacy } = await pair();
    const sentIds: string[] = [];
    // Sends begun, not only answered: one may commit before the socket opens and be answered after.
    let begun = 0;
    const sender = (async () => {
      // About the send limit (bursts of 20, then 5 a second): a send refused for going too
      // fast waits as told and goes again with its clientId, as a client does, so every
      // send commits once.
      for (let i = 0; i < 22; i++) {
        begun += 1;
        const input = { conversationId: group.id, clientId: randomUUID(), content: `tick ${i}` };
        const m = await sendPaced(() => typed.message.send.mutate(input));
        sentIds.push(m.id);
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    await until(() => legacy.ofType('chat_message').length >= 8);
    await legacy.close();
    const firstIds = legacy.ofType('chat_message').map((f) => f.message_id as string);
    const again = await legacySocket(node.url, group.id, await token(legacy_user(group)));
    const sentBeforeReconnect = begun;
    await sender;
    const last = sentIds[sentIds.length - 1];
    await again.frame((f) => f.message_id === last);
    const secondIds = again.ofType('chat_message').map((f) => f.message_id as string);

    expect(firstIds.filter((id) => secondIds.includes(id))).toEqual([]);
    expect(new Set(secondIds).size).toBe(secondIds.length);
    // The second socket gets a contiguous run up to the end, including everything sent after it opened.
    const start = sentIds.indexOf(secondIds[0] as string);
    expect(secondIds).toEqual(sentIds.slice(start));
    expect(start).toBeLessThanOrEqual(sentBeforeReconnect);
    // What neither socket saw is in history (the REST endpoint pages message.list).
    const history = await typed.message.list.query({ conversationId: group.id, limit: 100 });
    const historyIds = history.items.map((m) => m.id);
    for (const id of sentIds) expect(historyIds.filter((h) => h === id)).toHaveLength(1);
    await again.close();
  });

  it('never writes the token in the URL to its logs', async () => {
    const ada = await world.user();
    const group = await world.group(ada, []);
    const socket = await legacySocket(node.url, group.id, await token(ada.id));
    socket.send('{not json');
    await socket.frame((f) => f.type === 'error');
    await socket.close();
    const output = node.output();
    expect(output.length).toBeGreaterThan(0);
    for (const t of tokensUsed) expect(output).not.toContain(t);
    expect(output).not.toContain('?token=');
  });
});

/** A send, again after the wait a TOO_MANY_REQUESTS names (at most five times). */
async function sendPaced<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const wait = /retry in (\d+) ms/.exec(String((error as Error).message))?.[1];
      if (wait === undefined || attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, Number(wait) + 10));
    }
  }
}

/** The legacy user of a `pair()` conversation is its creator. */
function legacy_user(group: { participants: { userId: string }[]; createdBy: string | null }) {
  return group.createdBy ?? group.participants[0]?.userId ?? '';
}
