import { randomUUID } from 'node:crypto';
import type { MessageEvent, User } from '@estuary/api';
import type { ChatClient } from '@estuary/client';
import { TRPCClientError } from '@trpc/client';
import type { World } from './fixtures';
import type { WsNode } from './nodes';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Nodes behind a pretend load balancer: clients ask it for a live node on every reconnect. */
export function balancer(nodes: WsNode[]) {
  const alive = new Set(nodes);
  return {
    alive,
    /** The node a client starts on, then any live one after its node goes away. */
    urlFor(preferred: number) {
      return () => {
        const first = nodes[preferred % nodes.length];
        if (first && alive.has(first)) return first.url;
        const live = [...alive];
        return (live[preferred % live.length] ?? first)?.url ?? '';
      };
    },
    remove(node: WsNode) {
      alive.delete(node);
    },
  };
}

interface Received {
  user: User;
  conversationId: string;
  ids: string[];
  events: MessageEvent[];
  errors: unknown[];
}

/**
 * Conversations whose members each hold a live subscription from some node; `send` sends
 * through a member's own socket and retries (same clientId) until the message commits.
 */
export async function chatRooms(
  world: World,
  options: { rooms: number; members: number; url: (index: number) => string | (() => string) },
) {
  const rooms: { id: string; members: { user: User; client: ChatClient }[] }[] = [];
  const received: Received[] = [];
  const subscriptions: { unsubscribe(): void }[] = [];
  let index = 0;
  for (let r = 0; r < options.rooms; r++) {
    const users = [];
    for (let m = 0; m < options.members; m++)
      users.push(await world.user(m === 0 ? 'practitioner' : 'client'));
    const [owner, ...rest] = users as [User, ...User[]];
    const group = await world.group(owner, rest);
    const members = users.map((user) => ({
      user,
      client: world.client(user, options.url(index++)),
    }));
    for (const member of members) {
      const entry: Received = {
        user: member.user,
        conversationId: group.id,
        ids: [],
        events: [],
        errors: [],
      };
      received.push(entry);
      subscriptions.push(
        // From the start of the log: however long the socket takes to come up, nothing is missed.
        member.client.message.onEvent.subscribe(
          { conversationId: group.id, lastEventId: '0' },
          {
            onData: ({ id, data }) => {
              entry.ids.push(id);
              entry.events.push(data);
            },
            onError: (error) => entry.errors.push(error),
          },
        ),
      );
    }
    rooms.push({ id: group.id, members });
  }
  const stop = () => {
    for (const s of subscriptions) s.unsubscribe();
  };
  return { rooms, received, stop };
}

/** Sends until committed. A retry reuses the clientId, so a send that did commit is not doubled. */
export async function sendReliably(
  client: ChatClient,
  conversationId: string,
  content: string,
  failures: unknown[] = [],
  deadlineMs = 60_000,
) {
  const input = { conversationId, clientId: randomUUID(), content };
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.message.send.mutate(input);
    } catch (error) {
      failures.push(error);
      const code = error instanceof TRPCClientError ? error.data?.code : undefined;
      if (code === 'BAD_REQUEST' || code === 'FORBIDDEN' || Date.now() > deadline) throw error;
      await sleep(Math.min(50 * (attempt + 1), 500));
    }
  }
}

/**
 * Sends `total` messages round-robin over the rooms, `concurrency` at a time, calling
 * `at(n)` hooks when the n-th send starts (to kill a node mid-stream, and so on).
 */
export async function stream(
  rooms: Awaited<ReturnType<typeof chatRooms>>['rooms'],
  options: { total: number; concurrency: number; at?: Record<number, () => Promise<void> | void> },
): Promise<{ failures: unknown[] }> {
  const failures: unknown[] = [];
  let next = 0;
  const hooks: Promise<void>[] = [];
  const worker = async () => {
    for (;;) {
      const n = next++;
      if (n >= options.total) return;
      const hook = options.at?.[n];
      if (hook) hooks.push(Promise.resolve(hook()));
      const room = rooms[n % rooms.length];
      if (!room) return;
      const sender = room.members[n % room.members.length];
      if (sender) await sendReliably(sender.client, room.id, `message ${n}`, failures);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await Promise.all(hooks);
  return { failures };
}

/** A counter's value from a node's /metrics. */
export async function metric(node: WsNode, name: string): Promise<number> {
  const text = await (await fetch(`${node.http}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  // A labelled series nobody has touched yet is simply absent: zero.
  return line ? Number(line.split(' ')[1]) : name.includes('{') ? 0 : Number.NaN;
}

/** Waits until every subscriber holds the whole event log of its room, then compares exactly. */
export async function expectEveryoneHasEverything(
  world: World,
  received: Received[],
  timeoutMs = 60_000,
): Promise<{ mismatches: string[] }> {
  const logs = new Map<string, string[]>();
  for (const r of received) {
    if (!logs.has(r.conversationId))
      logs.set(r.conversationId, (await world.eventLog(r.conversationId)).map(String));
  }
  const deadline = Date.now() + timeoutMs;
  const mismatches = () =>
    received.flatMap((r) => {
      const want = logs.get(r.conversationId) ?? [];
      if (r.ids.length === want.length && r.ids.every((id, i) => id === want[i])) return [];
      return [
        `${r.user.name} in ${r.conversationId.slice(0, 8)}: has ${r.ids.length}/${want.length}`,
      ];
    });
  while (mismatches().length > 0 && Date.now() < deadline) await sleep(100);
  return { mismatches: mismatches() };
}

/** Created messages, as one subscriber saw them, are in strictly increasing seq order. */
export function createdSeqs(r: Received) {
  return r.events.filter((e) => e.type === 'message.created').map((e) => e.message.seq);
}
