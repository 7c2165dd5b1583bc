import { randomUUID } from 'node:crypto';
import { createMemoryBus } from '@estuary/realtime';
import { TRPCClientError } from '@trpc/client';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppRouter,
  authenticate,
  type ChatServices,
  createCallerFactory,
  createChatServices,
} from '../src';
import { HTTP_MAX_BATCH } from '../src/client-constants';
import { topics } from '../src/events';
import { describeError, withoutParameters } from '../src/safety';
import { bookedPair, codeOf, collector, SECRET, type Stack, startStack } from './harness';

let stack: Stack;
let second: ChatServices;
beforeAll(async () => {
  stack = await startStack({
    login: { loginAttemptsPerAccount: 5, loginAttemptsPerAddress: 1_000, loginWindowSeconds: 60 },
    limits: { maxGroupParticipants: 3 },
  });
  // A second process on the same database (as apps/ws beside apps/web): shared limits hold.
  second = createChatServices({
    db: stack.db,
    bus: createMemoryBus(),
    authSecret: SECRET,
    login: { loginAttemptsPerAccount: 5, loginAttemptsPerAddress: 12, loginWindowSeconds: 60 },
  });
});
afterAll(async () => {
  await second.close();
  await stack.close();
});

async function callerOn(services: ChatServices, token: string, address = '10.9.9.9') {
  const auth = await authenticate(services, token);
  return createCallerFactory(stack.router)({ services, auth, connection: null, address });
}

async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError)
      return { code: error.data?.code as string, message: error.message, data: error.data };
    const e = error as { code: string; message: string; retryAfterMs?: number };
    return { code: e.code, message: e.message, data: { retryAfterMs: e.retryAfterMs } };
  }
  throw new Error('expected a failure');
}

describe('the sign-in throttle', () => {
  it('slows guesses per account, across processes, with a retry time', async () => {
    const victim = await stack.signUp();
    const guess = (i: number) =>
      stack.anonymous.auth.login.mutate({ email: victim.user.email, password: `guess-${i}` });
    // Two guesses through another process count against the same account.
    const other = await callerOn(second, '');
    for (const i of [0, 1]) {
      expect(
        (await failure(other.auth.login({ email: victim.user.email, password: `x${i}` }))).code,
      ).toBe('UNAUTHORIZED');
    }
    const results = await Promise.all(
      Array.from({ length: HTTP_MAX_BATCH }, (_, i) =>
        guess(i).then(
          () => 'OK',
          (e) => failure(Promise.reject(e)),
        ),
      ),
    );
    const codes = results.map((r) => (typeof r === 'string' ? r : r.code));
    expect(codes.filter((c) => c === 'UNAUTHORIZED')).toHaveLength(3);
    expect(codes.filter((c) => c === 'TOO_MANY_REQUESTS')).toHaveLength(HTTP_MAX_BATCH - 3);
    const refused = await failure(
      stack.anonymous.auth.login.mutate({ email: victim.user.email, password: 'password-123' }),
    );
    expect(refused.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.message).toMatch(/retry in \d+ ms/);
    expect(refused.data?.retryAfterMs).toBeGreaterThan(30_000);
  });

  it('slows guesses per address, whatever the account', async () => {
    const other = await callerOn(second, '', '10.1.2.3');
    const codes: string[] = [];
    for (let i = 0; i < 14; i++) {
      codes.push(
        (await failure(other.auth.login({ email: `nobody${i}@example.com`, password: 'nope' })))
          .code,
      );
    }
    expect(codes.slice(0, 12).every((c) => c === 'UNAUTHORIZED')).toBe(true);
    expect(codes.slice(12)).toEqual(['TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
  });

  it('clears an account after a successful sign-in', async () => {
    const member = await stack.signUp();
    const login = (password: string) =>
      stack.anonymous.auth.login.mutate({ email: member.user.email, password });
    for (let i = 0; i < 4; i++) expect(await codeOf(login('wrong-one'))).toBe('UNAUTHORIZED');
    expect(await codeOf(login('password-123'))).toBe('OK');
    for (let i = 0; i < 4; i++) expect(await codeOf(login('wrong-one'))).toBe('UNAUTHORIZED');
  });

  it(`refuses an HTTP batch of more than ${HTTP_MAX_BATCH} calls`, async () => {
    const paths = Array.from({ length: HTTP_MAX_BATCH + 1 }, () => 'auth.login').join(',');
    const res = await fetch(`${stack.httpUrl}/${paths}?batch=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/batch/i);
  });
});

describe('sessions', () => {
  it('refresh lives as long as the session, and sign-out ends it', async () => {
    const member = await stack.signUp();
    const login = () =>
      stack.anonymous.auth.login.mutate({ email: member.user.email, password: 'password-123' });
    const a = await login();
    const b = await login();
    const refreshed = await stack.client(a.token).auth.refresh.mutate();
    expect(await codeOf(stack.client(refreshed.token).auth.me.query())).toBe('OK');

    await stack.client(a.token).auth.logout.mutate();
    expect(await codeOf(stack.client(a.token).auth.refresh.mutate())).toBe('UNAUTHORIZED');
    expect(await codeOf(stack.client(refreshed.token).auth.me.query())).toBe('UNAUTHORIZED');
    // The other session is untouched…
    expect(await codeOf(stack.client(b.token).auth.refresh.mutate())).toBe('OK');
    // …until sign-out everywhere, which ends the registration's session too.
    expect(await stack.client(b.token).auth.logoutAll.mutate()).toEqual({ revoked: 2 });
    expect(await codeOf(stack.client(b.token).auth.refresh.mutate())).toBe('UNAUTHORIZED');
    expect(await codeOf(stack.client(member.token).auth.refresh.mutate())).toBe('UNAUTHORIZED');
  });

  it('a socket opened before sign-out can subscribe to nothing after it', async () => {
    const member = await stack.signUp();
    const { token } = await stack.anonymous.auth.login.mutate({
      email: member.user.email,
      password: 'password-123',
    });
    const socket = stack.client(token);
    const first = collector();
    const open = socket.conversation.onUpdate.subscribe(undefined, first);
    await stack.listening(topics.user(member.user.id));
    await stack.client(token).auth.logout.mutate();
    const second = collector();
    const refused = socket.conversation.onUpdate.subscribe(undefined, second);
    await second.until(() => second.errors.length > 0);
    expect((second.errors[0] as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
    open.unsubscribe();
    refused.unsubscribe();
  });

  it('does not renew a token bound to no session', async () => {
    const member = await stack.signUp();
    const bare = await stack.services.tokens.issue(member.user.id);
    expect(await codeOf(stack.client(bare.token).auth.me.query())).toBe('OK');
    expect(await codeOf(stack.client(bare.token).auth.refresh.mutate())).toBe('UNAUTHORIZED');
  });
});

describe('the send rate limit', () => {
  it('is shared by every process on the database', async () => {
    const { client, conversation } = await bookedPair(stack);
    const there = await callerOn(second, client.token);
    const send = (via: 'here' | 'there', i: number) => {
      const input = { conversationId: conversation.id, clientId: randomUUID(), content: `m${i}` };
      const call =
        via === 'here' ? client.client.message.send.mutate(input) : there.message.send(input);
      return call.then(
        () => 'OK',
        (e) =>
          (e as { data?: { code?: string }; code?: string }).data?.code ??
          (e as { code: string }).code,
      );
    };
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => send(i % 2 ? 'here' : 'there', i)),
    );
    const ok = results.filter((r) => r === 'OK').length;
    expect(ok).toBeGreaterThanOrEqual(20);
    expect(ok).toBeLessThanOrEqual(21);
    expect(results.filter((r) => r !== 'OK').every((r) => r === 'TOO_MANY_REQUESTS')).toBe(true);
  });
});

describe('text input', () => {
  it('refuses a NUL byte in a name with BAD_REQUEST, leaking nothing', async () => {
    const refused = await failure(
      stack.anonymous.auth.register.mutate({
        email: `nul-${randomUUID().slice(0, 8)}@example.com`,
        password: 'password-123',
        name: 'Eve\u0000',
        role: 'client',
      }),
    );
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toMatch(/name: control characters/);
    expect(JSON.stringify(refused)).not.toMatch(/scrypt|insert|users/i);
  });

  it('refuses control characters in titles and content, but keeps line feeds and tabs', async () => {
    const { client, conversation } = await bookedPair(stack);
    const send = (content: string) =>
      codeOf(
        client.client.message.send.mutate({
          conversationId: conversation.id,
          clientId: randomUUID(),
          content,
        }),
      );
    expect(await send('two\nlines\tand a tab')).toBe('OK');
    expect(await send('bell\u0007')).toBe('BAD_REQUEST');
    expect(await send('c1\u0085')).toBe('BAD_REQUEST');
    expect(
      await codeOf(
        client.client.conversation.createGroup.mutate({ title: 'a\nb', participantIds: [] }),
      ),
    ).toBe('BAD_REQUEST');
  });

  it('refuses a message of only invisible characters', async () => {
    const { client, conversation } = await bookedPair(stack);
    for (const content of ['\u200b\u200b', ' \u200c\u200d\u2060 ', '\ufeff', '\u3164', '\n\t ']) {
      expect(
        await codeOf(
          client.client.message.send.mutate({
            conversationId: conversation.id,
            clientId: randomUUID(),
            content,
          }),
        ),
      ).toBe('BAD_REQUEST');
    }
  });
});

describe('unexpected errors', () => {
  it('answer INTERNAL_SERVER_ERROR with a generic message and an id, never the SQL', async () => {
    const member = await stack.signUp();
    await stack.db.execute(sql`alter table bookings rename to bookings_gone`);
    try {
      const refused = await failure(stack.client(member.token).booking.list.query());
      expect(refused.code).toBe('INTERNAL_SERVER_ERROR');
      expect(refused.message).toMatch(/^Something went wrong on our side; error id [0-9a-f-]{36}$/);
      expect(refused.data?.errorId).toBe(refused.message.split(' ').at(-1));
      expect(JSON.stringify(refused)).not.toMatch(/select|bookings|params|stack/i);
    } finally {
      await stack.db.execute(sql`alter table bookings_gone rename to bookings`);
    }
  });

  it('are logged without their query parameters', async () => {
    const secret = 'scrypt$32768$8$not-for-logs';
    const error = await stack.db.execute(sql`select ${secret}::uuid`).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(String(error)).toContain(secret); // what a naive log would have printed
    expect(JSON.stringify(describeError(error))).not.toContain(secret);
    expect(JSON.stringify(withoutParameters({ error: String(error), e: error }))).not.toContain(
      secret,
    );
  });
});

describe('group size', () => {
  it('caps groups at creation and when adding', async () => {
    const owner = await stack.signUp();
    // Practitioners: anyone may add them (the contact rule), so only the cap can refuse.
    const [a, b, c] = await Promise.all([
      stack.signUp('practitioner'),
      stack.signUp('practitioner'),
      stack.signUp('practitioner'),
    ]);
    if (!a || !b || !c) throw new Error('sign-up failed');
    expect(
      await codeOf(
        owner.client.conversation.createGroup.mutate({
          title: 'Too many',
          participantIds: [a.user.id, b.user.id, c.user.id],
        }),
      ),
    ).toBe('BAD_REQUEST');
    const group = await owner.client.conversation.createGroup.mutate({
      title: 'Three',
      participantIds: [a.user.id, b.user.id],
    });
    const add = (userId: string) =>
      owner.client.conversation.addParticipant.mutate({ conversationId: group.id, userId });
    const refused = await failure(add(c.user.id));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toMatch(/at most 3/);
    expect(await codeOf(add(a.user.id))).toBe('OK'); // already in: a no-op, not a refusal
  });
});
