import { randomUUID } from 'node:crypto';
import { TRPCClientError } from '@trpc/client';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformTokens } from '../src/platform-tokens';
import { codeOf, type Stack, startStack } from './harness';
import {
  AUDIENCE,
  ISSUER,
  newKey,
  platformToken,
  type SigningKey,
  socketClient,
  startJwksServer,
} from './platform-helpers';

let stack: Stack;
let jwks: Awaited<ReturnType<typeof startJwksServer>>;
let key: SigningKey;

beforeAll(async () => {
  key = await newKey('ES256');
  jwks = await startJwksServer([key]);
  stack = await startStack({
    platformAuth: {
      jwksUrl: jwks.url,
      issuer: ISSUER,
      audience: AUDIENCE,
      // No cooldown, so a test can rotate and then break the key server straight away.
      refetchCooldownMs: 0,
      fetchTimeoutMs: 2_000,
    },
  });
});

afterAll(async () => {
  await stack?.close();
  await jwks?.close();
});

const messageOf = async (call: Promise<unknown>) => {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return `${error.data?.code}: ${error.message}`;
    throw error;
  }
  return 'OK';
};

describe('platform tokens (AUTH_JWKS_URL)', () => {
  it('create the user of an unknown sub, sign in over HTTP and on a socket, and update on a later token', async () => {
    const sub = `platform-${randomUUID()}`;
    const email = `${sub}@platform.example`;
    const first = await platformToken(key, {
      sub,
      email,
      name: 'Maya First',
      role: 'practitioner',
    });
    const me = await stack.client(first).auth.me.query();
    expect(me).toMatchObject({ externalId: sub, email, name: 'Maya First', role: 'practitioner' });

    const socket = socketClient(stack.wsUrl, first);
    try {
      expect(await socket.auth.me.query()).toMatchObject({ id: me.id, externalId: sub });
    } finally {
      await socket.close();
    }

    const renamed = await platformToken(key, {
      sub,
      email,
      name: 'Maya Renamed',
      role: 'practitioner',
    });
    const again = await stack.client(renamed).auth.me.query();
    expect(again).toMatchObject({ id: me.id, name: 'Maya Renamed' });
  });

  it('refuse a token from an unknown key, a wrong issuer or audience, or an expired one', async () => {
    const claims = { sub: `p-${randomUUID()}`, email: `${randomUUID()}@platform.example` };
    const stranger = await newKey('ES256');
    const cases = {
      unknownKey: await platformToken(stranger, claims),
      wrongIssuer: await platformToken(key, claims, { issuer: 'https://evil.example' }),
      wrongAudience: await platformToken(key, claims, { audience: 'someone-else' }),
      expired: await platformToken(key, claims, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
      badRole: await platformToken(key, { ...claims, role: 'admin' }),
    };
    for (const [name, token] of Object.entries(cases)) {
      expect(`${name} ${await codeOf(stack.client(token).auth.me.query())}`).toBe(
        `${name} UNAUTHORIZED`,
      );
    }
    expect(await messageOf(stack.client(cases.expired).auth.me.query())).toBe(
      'UNAUTHORIZED: Token expired',
    );
    const [created] = await stack.db.$client`select 1 from users where external_id = ${claims.sub}`;
    expect(created).toBeUndefined();
  });

  it('take a rotated key (new kid) without a restart', async () => {
    const rotated = await newKey('RS256');
    jwks.state.keys = [rotated];
    const sub = `p-${randomUUID()}`;
    const token = await platformToken(rotated, { sub, email: `${sub}@platform.example` });
    const me = await stack.client(token).auth.me.query();
    expect(me).toMatchObject({ externalId: sub, role: 'client', name: sub });
    key = rotated;
  });

  it('take a token without a kid (as Django SimpleJWT signs them), even with several candidate keys', async () => {
    const [a, b] = [await newKey('RS256'), await newKey('RS256')];
    const bare = (k: SigningKey) => ({ ...k, jwk: { ...k.jwk, kid: undefined } });
    jwks.state.keys = [key, bare(a), bare(b)];
    const sub = `django-${randomUUID()}`;
    const token = await new SignJWT({ email: `${sub}@platform.example`, role: 'practitioner' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(b.privateKey);
    // The set changed but no unknown kid was named: start from a fresh verifier, as after a deploy.
    const fresh = new PlatformTokens({ jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE });
    const verdict = await fresh.verify(token);
    expect(verdict).toMatchObject({
      ok: true,
      identity: { externalId: sub, role: 'practitioner' },
    });
    const forged = await new SignJWT({ email: 'x@platform.example' })
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('x')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign((await newKey('RS256')).privateKey);
    expect(await fresh.verify(forged)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('with the key server down, refuse new platform keys clearly and keep our own tokens working', async () => {
    const ours = await stack.signUp('client');
    jwks.state.down = true;
    try {
      const failuresBefore = stack.services.platform?.keyFetchFailures ?? 0;
      const next = await newKey('ES256');
      const sub = `p-${randomUUID()}`;
      const token = await platformToken(next, { sub, email: `${sub}@platform.example` });
      expect(await messageOf(stack.client(token).auth.me.query())).toBe(
        'UNAUTHORIZED: The platform’s signing keys cannot be fetched right now; retry shortly',
      );
      expect(stack.services.platform?.keyFetchFailures).toBeGreaterThan(failuresBefore);

      // Our own HS256 tokens never touch the key server.
      expect((await ours.client.auth.me.query()).id).toBe(ours.user.id);
      const socket = socketClient(stack.wsUrl, ours.token);
      try {
        expect((await socket.auth.me.query()).id).toBe(ours.user.id);
      } finally {
        await socket.close();
      }
    } finally {
      jwks.state.down = false;
    }
  });

  it('let a platform user into a booking conversation like any other user', async () => {
    const sub = `p-${randomUUID()}`;
    const token = await platformToken(key, {
      sub,
      email: `${sub}@platform.example`,
      name: 'Platform Client',
      role: 'client',
    });
    const platformClient = stack.client(token);
    const me = await platformClient.auth.me.query();
    const practitioner = await stack.signUp('practitioner');
    const booking = await platformClient.booking.create.mutate({
      practitionerId: practitioner.user.id,
      clientId: me.id,
      startsAt: new Date(Date.now() + 3_600_000),
      endsAt: new Date(Date.now() + 7_200_000),
    });
    const conversation = await platformClient.conversation.forBooking.mutate({
      bookingId: booking.id,
    });
    const sent = await platformClient.message.send.mutate({
      conversationId: conversation.id,
      clientId: randomUUID(),
      content: 'hello from the platform',
    });
    expect(sent).toMatchObject({ senderId: me.id, kind: 'user' });
  });
});
