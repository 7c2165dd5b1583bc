import { TokenService } from '@estuary/auth';
import type { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../src';
import { codeOf, SECRET, type Stack, startStack } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('auth', () => {
  const email = 'grace@example.com';

  it('registers a user and returns a token that authenticates', async () => {
    const result = await stack.anonymous.auth.register.mutate({
      email: ' Grace@Example.com ',
      password: 'long-enough',
      name: 'Grace Hopper',
      role: 'practitioner',
    });
    expect(result.user).toMatchObject({ email, name: 'Grace Hopper', role: 'practitioner' });
    expect(result.expiresAt).toBeInstanceOf(Date);
    const me = await stack.client(result.token).auth.me.query();
    expect(me).toEqual(result.user);
  });

  it('refuses a duplicate email with CONFLICT', async () => {
    const call = stack.anonymous.auth.register.mutate({
      email: 'GRACE@example.com',
      password: 'another-one',
      name: 'Impostor',
      role: 'client',
    });
    expect(await codeOf(call)).toBe('CONFLICT');
  });

  it('logs in with the right password and refuses a wrong one or an unknown email', async () => {
    const ok = await stack.anonymous.auth.login.mutate({ email, password: 'long-enough' });
    expect(ok.user.email).toBe(email);
    expect(
      await codeOf(stack.anonymous.auth.login.mutate({ email, password: 'wrong-password' })),
    ).toBe('UNAUTHORIZED');
    expect(
      await codeOf(
        stack.anonymous.auth.login.mutate({ email: 'nobody@example.com', password: 'whatever' }),
      ),
    ).toBe('UNAUTHORIZED');
  });

  it('refreshes a valid token into a new one', async () => {
    const { token } = await stack.anonymous.auth.login.mutate({ email, password: 'long-enough' });
    const refreshed = await stack.client(token).auth.refresh.mutate();
    expect(refreshed.expiresAt.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect((await stack.client(refreshed.token).auth.me.query()).email).toBe(email);
  });

  it('refuses missing, expired and forged tokens with UNAUTHORIZED', async () => {
    const { user } = await stack.anonymous.auth.login.mutate({ email, password: 'long-enough' });
    const expired = await new TokenService(SECRET).issue(user.id, 'access', -1);
    const forged = await new TokenService('not-the-secret-not-the-secret-not-the-secret').issue(
      user.id,
    );
    const session = await new TokenService(SECRET).issue(user.id, 'session');
    for (const token of ['', expired.token, forged.token, session.token, 'garbage']) {
      expect(await codeOf(stack.client(token).auth.me.query())).toBe('UNAUTHORIZED');
      expect(await codeOf(stack.client(token).auth.refresh.mutate())).toBe('UNAUTHORIZED');
    }
  });

  it('answers invalid input with BAD_REQUEST and the zod issues', async () => {
    try {
      await stack.anonymous.auth.register.mutate({
        email: 'not-an-email',
        password: 'short',
        name: '',
        role: 'admin' as 'client',
      });
      expect.unreachable();
    } catch (error) {
      const e = error as TRPCClientError<AppRouter>;
      expect(e.data?.code).toBe('BAD_REQUEST');
      const issues = (e.data?.issues ?? []) as { path: PropertyKey[] }[];
      expect(issues.map((i) => i.path.join('.')).sort()).toEqual([
        'email',
        'name',
        'password',
        'role',
      ]);
      expect(e.message).toMatch(/email/);
    }
  });
});
