import { randomUUID } from 'node:crypto';
import { TRPCClientError } from '@trpc/client';
import type { Role, User } from '../src';
import { startTestServer, type TestServerOptions } from '../src/testing';
import { type TestClient, testClient } from './client';

export { TEST_SECRET as SECRET } from '../src/testing';

export interface Member {
  user: User;
  token: string;
  /** HTTP for queries and mutations, WebSocket for subscriptions. */
  client: TestClient;
}

/**
 * A real stack for one test file: its own database, the router over HTTP and WebSocket
 * (see @estuary/api/testing), and typed clients.
 */
export async function startStack(options: TestServerOptions = {}) {
  const server = await startTestServer(options);
  const { httpUrl, wsUrl, bus } = server;
  const clients = new Set<TestClient>();

  const client = (token: string | (() => string | Promise<string>)) => {
    const c = testClient({
      httpUrl,
      wsUrl,
      getToken: typeof token === 'string' ? () => token : token,
    });
    clients.add(c);
    return c;
  };
  const anonymous = client('');

  let counter = 0;
  const signUp = async (role: Role = 'client', name?: string): Promise<Member> => {
    const n = ++counter;
    const result = await anonymous.auth.register.mutate({
      email: `user${n}-${randomUUID().slice(0, 8)}@example.com`,
      password: 'password-123',
      name: name ?? `${role} ${n}`,
      role,
    });
    return { user: result.user, token: result.token, client: client(result.token) };
  };

  return {
    ...server,
    anonymous,
    client,
    signUp,
    /**
     * Waits until `count` subscribers here listen to `topic`: a subscription is live once its
     * stream has attached, which a sleep cannot promise on a busy machine.
     */
    async listening(topic: string, count = 1) {
      await eventually(() => {
        if (bus.listenerCount(topic) < count)
          throw new Error(`fewer than ${count} listeners on ${topic}`);
      }, 20_000);
    },
    async close() {
      for (const c of clients) await c.close().catch(() => {});
      await server.close();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

/** Collects what a subscription yields, with a way to wait for a condition. */
export function collector<T>() {
  const items: T[] = [];
  const errors: unknown[] = [];
  return {
    items,
    errors,
    onData: (item: T) => {
      items.push(item);
    },
    onError: (error: unknown) => {
      errors.push(error);
    },
    async until(predicate: (items: T[]) => boolean, timeoutMs = 10_000) {
      await eventually(() => {
        if (!predicate(items)) throw new Error(`condition not met; have ${items.length} items`);
      }, timeoutMs);
    },
  };
}

/** Retries `check` until it stops throwing, or fails with its last error after `timeoutMs`. */
export async function eventually(
  check: () => void | Promise<void>,
  timeoutMs = 10_000,
  stepMs = 20,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, stepMs));
    }
  }
}

/** The tRPC error code a call failed with, or 'OK'. */
export async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return error.data?.code as string;
    throw error;
  }
  return 'OK';
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A booking between a new practitioner and a new client, and its conversation. */
export async function bookedPair(stack: Stack) {
  const practitioner = await stack.signUp('practitioner');
  const client = await stack.signUp('client');
  const booking = await practitioner.client.booking.create.mutate({
    practitionerId: practitioner.user.id,
    clientId: client.user.id,
    startsAt: new Date(Date.now() + 86_400_000),
    endsAt: new Date(Date.now() + 90_000_000),
  });
  const conversation = await client.client.conversation.forBooking.mutate({
    bookingId: booking.id,
  });
  return { practitioner, client, booking, conversation };
}

/**
 * A booking between a practitioner and a client (either order): it makes them contacts, which
 * the contact rule asks of anyone brought into a direct chat or a group.
 */
export async function book(a: Member, b: Member) {
  const [practitioner, client] = a.user.role === 'practitioner' ? [a, b] : [b, a];
  return practitioner.client.booking.create.mutate({
    practitionerId: practitioner.user.id,
    clientId: client.user.id,
    startsAt: new Date(Date.now() + 86_400_000),
    endsAt: new Date(Date.now() + 90_000_000),
  });
}
