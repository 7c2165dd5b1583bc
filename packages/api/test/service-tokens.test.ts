import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceScope } from '../src';
import { bookedPair, codeOf, collector, type Stack, startStack } from './harness';
import { socketClient } from './platform-helpers';

let stack: Stack;
const logged: { message: string; extra?: Record<string, unknown> }[] = [];
beforeAll(async () => {
  stack = await startStack({
    bus: 'postgres',
    log: (_level, message, extra) => logged.push({ message, extra }),
  });
});
afterAll(async () => {
  await stack?.close();
});

const mint = async (scopes: ServiceScope[]) => {
  const name = `svc-${randomUUID().slice(0, 8)}`;
  const { token } = await stack.services.serviceTokens.mint(name, scopes);
  return { name, token, client: stack.client(token) };
};

const future = (hours: number) => new Date(Date.now() + hours * 3_600_000);

describe('service tokens', () => {
  it('each scope allows exactly its procedures; other scopes and user procedures are FORBIDDEN', async () => {
    const { practitioner, client, booking, conversation } = await bookedPair(stack);
    type Call = (c: Stack['anonymous']) => Promise<unknown>;
    const procedures: Record<string, { scope: ServiceScope; call: Call }> = {
      'user.upsert': {
        scope: 'users',
        call: (c) =>
          c.user.upsert.mutate({
            externalId: `ext-${randomUUID()}`,
            email: `${randomUUID()}@platform.example`,
            name: 'Upserted',
            role: 'client',
          }),
      },
      'booking.create': {
        scope: 'bookings',
        call: (c) =>
          c.booking.create.mutate({
            practitionerId: practitioner.user.id,
            clientId: client.user.id,
            startsAt: future(48),
            endsAt: future(49),
          }),
      },
      'booking.reschedule': {
        scope: 'bookings',
        call: (c) =>
          c.booking.reschedule.mutate({
            bookingId: booking.id,
            startsAt: future(Math.random() * 100 + 50),
            endsAt: future(200),
          }),
      },
      'conversation.forBooking': {
        scope: 'bookings',
        call: (c) => c.conversation.forBooking.mutate({ bookingId: booking.id }),
      },
      'message.sendSystem': {
        scope: 'system-messages',
        call: (c) =>
          c.message.sendSystem.mutate({
            conversationId: conversation.id,
            clientId: randomUUID(),
            content: 'A notice',
          }),
      },
    };
    const tokens = {
      users: await mint(['users']),
      bookings: await mint(['bookings']),
      'system-messages': await mint(['system-messages']),
    };
    const matrix: string[] = [];
    for (const [name, { scope, call }] of Object.entries(procedures)) {
      for (const [held, service] of Object.entries(tokens)) {
        const code = await codeOf(call(service.client));
        matrix.push(`${name} with ${held}: ${code}`);
        expect(`${name} with ${held}: ${code}`).toBe(
          `${name} with ${held}: ${held === scope ? 'OK' : 'FORBIDDEN'}`,
        );
      }
    }
    expect(matrix).toHaveLength(15);

    // booking.cancel last, as it ends the booking the others use.
    expect(await codeOf(tokens.users.client.booking.cancel.mutate({ bookingId: booking.id }))).toBe(
      'FORBIDDEN',
    );
    const cancelled = await tokens.bookings.client.booking.cancel.mutate({ bookingId: booking.id });
    expect(cancelled.status).toBe('cancelled');

    // A service token opens none of the user procedures, whatever its scopes.
    const all = await mint(['users', 'bookings', 'system-messages']);
    expect(await codeOf(all.client.auth.me.query())).toBe('FORBIDDEN');
    expect(await codeOf(all.client.conversation.list.query())).toBe('FORBIDDEN');
    expect(await codeOf(all.client.booking.list.query())).toBe('FORBIDDEN');
    expect(
      await codeOf(
        all.client.message.send.mutate({
          conversationId: conversation.id,
          clientId: randomUUID(),
          content: 'as if I were a user',
        }),
      ),
    ).toBe('FORBIDDEN');
  });

  it('a user token calls neither user.upsert nor message.sendSystem; bookings keep their v1 rules for users', async () => {
    const { practitioner, booking, conversation } = await bookedPair(stack);
    const stranger = await stack.signUp('client');
    expect(
      await codeOf(
        practitioner.client.user.upsert.mutate({
          externalId: 'x',
          email: 'x@platform.example',
          name: 'X',
          role: 'client',
        }),
      ),
    ).toBe('FORBIDDEN');
    expect(
      await codeOf(
        practitioner.client.message.sendSystem.mutate({
          conversationId: conversation.id,
          clientId: randomUUID(),
          content: 'fake notice',
        }),
      ),
    ).toBe('FORBIDDEN');
    expect(
      await codeOf(
        stranger.client.booking.reschedule.mutate({
          bookingId: booking.id,
          startsAt: future(30),
          endsAt: future(31),
        }),
      ),
    ).toBe('FORBIDDEN');
    expect(await codeOf(stranger.client.booking.cancel.mutate({ bookingId: booking.id }))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(stack.anonymous.user.upsert.mutate(upsertInput()))).toBe('UNAUTHORIZED');
  });

  it('a revoked token is refused at once, over HTTP and on an open socket', async () => {
    const service = await mint(['users']);
    const socket = socketClient(stack.wsUrl, service.token);
    const upsert = (c: Stack['anonymous']) =>
      c.user.upsert.mutate({
        externalId: `ext-${randomUUID()}`,
        email: `${randomUUID()}@platform.example`,
        name: 'Someone',
        role: 'client',
      });
    try {
      expect(await codeOf(upsert(service.client))).toBe('OK');
      expect(await codeOf(upsert(socket))).toBe('OK');
      expect(await stack.services.serviceTokens.revoke(service.name)).toBe(true);
      expect(await codeOf(upsert(service.client))).toBe('UNAUTHORIZED');
      expect(await codeOf(upsert(socket))).toBe('UNAUTHORIZED');
      // A new socket with it is refused at connect.
      const late = socketClient(stack.wsUrl, service.token);
      try {
        const refused = await Promise.race([
          codeOf(upsert(late)).catch(() => 'refused'),
          new Promise((r) => setTimeout(() => r('refused'), 3_000)),
        ]);
        expect(refused).not.toBe('OK');
      } finally {
        await late.close();
      }
    } finally {
      await socket.close();
    }
    const listed = await stack.services.serviceTokens.list();
    expect(listed.find((a) => a.name === service.name)?.revokedAt).toBeInstanceOf(Date);
  });

  it('minting again under a name replaces the old token; only a hash is stored', async () => {
    const first = await mint(['users']);
    const { token: second } = await stack.services.serviceTokens.mint(first.name, ['users']);
    expect(await codeOf(first.client.user.upsert.mutate(upsertInput()))).toBe('UNAUTHORIZED');
    expect(await codeOf(stack.client(second).user.upsert.mutate(upsertInput()))).toBe('OK');
    const rows = await stack.db.$client<{ token_hash: string }[]>`
      select token_hash from service_accounts where name = ${first.name}`;
    expect(rows).toHaveLength(2);
    for (const row of rows) expect([first.token, second]).not.toContain(row.token_hash);
  });

  it('user.upsert is idempotent on externalId and updates the user', async () => {
    const service = await mint(['users']);
    const input = upsertInput();
    const a = await service.client.user.upsert.mutate(input);
    const b = await service.client.user.upsert.mutate(input);
    expect(b).toEqual(a);
    const c = await service.client.user.upsert.mutate({ ...input, name: 'New Name' });
    expect(c).toMatchObject({ id: a.id, name: 'New Name', externalId: input.externalId });
    // Each call is logged with the service's name (and never its token).
    const calls = logged.filter(
      (l) => l.message === 'service call' && l.extra?.service === service.name,
    );
    expect(calls.map((l) => l.extra?.path)).toEqual(['user.upsert', 'user.upsert', 'user.upsert']);
    expect(JSON.stringify(logged)).not.toContain(service.token);
    // Platform users have no password: no password signs them in.
    for (const password of ['', 'password-123', '!platform']) {
      expect(
        await codeOf(stack.anonymous.auth.login.mutate({ email: input.email, password })),
      ).not.toBe('OK');
    }
    // An email held by another account is a clear CONFLICT, and changes nothing.
    const other = await stack.signUp('client');
    expect(
      await codeOf(
        service.client.user.upsert.mutate({ ...upsertInput(), email: other.user.email }),
      ),
    ).toBe('CONFLICT');
    expect(await codeOf(service.client.user.upsert.mutate({ ...input, email: 'nope' }))).toBe(
      'BAD_REQUEST',
    );
  });
});

const upsertInput = () => ({
  externalId: `ext-${randomUUID()}`,
  email: `${randomUUID()}@platform.example`,
  name: 'Platform Person',
  role: 'client' as const,
});

describe('system messages', () => {
  it('are idempotent on clientId, reach live subscribers, and cannot be edited or deleted', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const service = await mint(['system-messages']);
    const events = collector<{ id: string; data: { type: string; message: { kind: string } } }>();
    const sub = client.client.message.onEvent.subscribe(
      { conversationId: conversation.id },
      events,
    );
    await stack.listening(`c:${conversation.id}:m`);
    const clientId = randomUUID();
    const input = { conversationId: conversation.id, clientId, content: 'Your session is booked' };
    const first = await service.client.message.sendSystem.mutate(input);
    const again = await service.client.message.sendSystem.mutate(input);
    expect(again).toEqual(first);
    expect(first).toMatchObject({
      kind: 'system',
      senderId: null,
      senderName: null,
      content: 'Your session is booked',
    });
    await events.until((items) => items.length >= 1);
    expect(events.items.map((e) => e.data.message.kind)).toEqual(['system']);

    const page = await practitioner.client.message.list.query({ conversationId: conversation.id });
    expect(page.items.filter((m) => m.kind === 'system')).toHaveLength(1);
    const summaries = await client.client.conversation.list.query();
    const summary = summaries.items.find((s) => s.id === conversation.id);
    expect(summary?.lastMessage?.kind).toBe('system');
    expect(summary?.unreadCount).toBe(1);

    for (const member of [practitioner, client]) {
      expect(
        await codeOf(member.client.message.edit.mutate({ messageId: first.id, content: 'hacked' })),
      ).toBe('FORBIDDEN');
      expect(await codeOf(member.client.message.delete.mutate({ messageId: first.id }))).toBe(
        'FORBIDDEN',
      );
    }
    // The same clientId in another conversation is a CONFLICT, not a silent reuse.
    const other = await bookedPair(stack);
    expect(
      await codeOf(
        service.client.message.sendSystem.mutate({
          ...input,
          conversationId: other.conversation.id,
        }),
      ),
    ).toBe('CONFLICT');
    expect(
      await codeOf(
        service.client.message.sendSystem.mutate({
          conversationId: randomUUID(),
          clientId: randomUUID(),
          content: 'nowhere',
        }),
      ),
    ).toBe('NOT_FOUND');
    sub.unsubscribe();
  });

  it('booking cancel and reschedule post a notice in the conversation, and its header follows', async () => {
    const { practitioner, client, booking, conversation } = await bookedPair(stack);
    const updates = collector<{ id: string; booking: { startsAt: Date; status: string } | null }>();
    const sub = client.client.conversation.onUpdate.subscribe(undefined, updates);
    await stack.listening(`c:${conversation.id}:m`);
    const startsAt = new Date(Date.UTC(2031, 4, 6, 9, 30));
    const endsAt = new Date(Date.UTC(2031, 4, 6, 10, 30));
    const moved = await client.client.booking.reschedule.mutate({
      bookingId: booking.id,
      startsAt,
      endsAt,
    });
    expect(moved).toMatchObject({ startsAt, endsAt, status: 'confirmed' });
    await updates.until((items) =>
      items.some(
        (u) => u.id === conversation.id && u.booking?.startsAt.getTime() === startsAt.getTime(),
      ),
    );
    const header = await practitioner.client.conversation.get.query({
      conversationId: conversation.id,
    });
    expect(header.booking?.startsAt).toEqual(startsAt);

    // The same times again change nothing and post nothing.
    await client.client.booking.reschedule.mutate({ bookingId: booking.id, startsAt, endsAt });
    await practitioner.client.booking.cancel.mutate({ bookingId: booking.id });
    await practitioner.client.booking.cancel.mutate({ bookingId: booking.id });
    const page = await client.client.message.list.query({ conversationId: conversation.id });
    expect(page.items.map((m) => [m.kind, m.content])).toEqual([
      ['system', 'Session rescheduled to Tue, 6 May 2031, 09:30 UTC'],
      ['system', 'Session cancelled (it was on Tue, 6 May 2031, 09:30 UTC)'],
    ]);
    await updates.until((items) =>
      items.some((u) => u.id === conversation.id && u.booking?.status === 'cancelled'),
    );
    expect(
      await codeOf(
        client.client.booking.reschedule.mutate({ bookingId: booking.id, startsAt, endsAt }),
      ),
    ).toBe('CONFLICT');
    expect(
      await codeOf(
        client.client.booking.reschedule.mutate({
          bookingId: booking.id,
          startsAt: endsAt,
          endsAt: startsAt,
        }),
      ),
    ).toBe('BAD_REQUEST');
    sub.unsubscribe();
  });
});
