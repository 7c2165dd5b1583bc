import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { hashPassword, resolveAuthSecret, TokenError, TokenService, verifyPassword } from '../src';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!';

describe('passwords', () => {
  it('hash with scrypt and a fresh salt, and verify only the right password', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^scrypt\$\d+\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
    expect(await verifyPassword('correct horse', 'garbage')).toBe(false);
  });
});

describe('tokens', () => {
  const tokens = new TokenService(SECRET);

  it('are HS256 JWTs with sub = user id and a 15 minute life by default', async () => {
    const before = Date.now();
    const { token, expiresAt } = await tokens.issue('user-1');
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header.alg).toBe('HS256');
    expect(payload.sub).toBe('user-1');
    const life = expiresAt.getTime() - before;
    expect(life).toBeGreaterThan(14 * 60_000);
    expect(life).toBeLessThanOrEqual(15 * 60_000 + 1_000);
    expect(await tokens.verify(token)).toEqual({ userId: 'user-1', expiresAt });
  });

  it('refuses expired, forged, tampered and wrong-kind tokens', async () => {
    const expired = await new TokenService(SECRET).issue('u', 'access', -10);
    await expect(tokens.verify(expired.token)).rejects.toEqual(new TokenError('expired'));

    const forged = await new TokenService('another-secret-another-secret-another!').issue('u');
    await expect(tokens.verify(forged.token)).rejects.toEqual(new TokenError('invalid'));

    const { token } = await tokens.issue('u');
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString());
    const tampered = [
      h,
      Buffer.from(JSON.stringify({ ...payload, sub: 'admin' })).toString('base64url'),
      s,
    ].join('.');
    await expect(tokens.verify(tampered)).rejects.toEqual(new TokenError('invalid'));

    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    await expect(tokens.verify(none)).rejects.toEqual(new TokenError('invalid'));

    const session = await tokens.issue('u', 'session');
    await expect(tokens.verify(session.token, 'access')).rejects.toEqual(new TokenError('invalid'));
    expect((await tokens.verify(session.token, 'session')).userId).toBe('u');

    const noExpiry = await new SignJWT({ typ: 'access' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u')
      .sign(new TextEncoder().encode(SECRET));
    await expect(tokens.verify(noExpiry)).rejects.toEqual(new TokenError('invalid'));
    await expect(tokens.verify('not.a.jwt')).rejects.toEqual(new TokenError('invalid'));
  });
});

describe('the signing secret', () => {
  it('production refuses to start without one of at least 32 bytes, and says why', async () => {
    const devStateDir = await mkdtemp(join(tmpdir(), 'estuary-secret-'));
    expect(() => resolveAuthSecret({ secret: undefined, production: true, devStateDir })).toThrow(
      /AUTH_SECRET is not set/,
    );
    expect(() => resolveAuthSecret({ secret: 'short', production: true, devStateDir })).toThrow(
      /at least 32/,
    );
    expect(resolveAuthSecret({ secret: SECRET, production: true, devStateDir })).toBe(SECRET);
  });

  it('dev generates one once and keeps it', async () => {
    const devStateDir = await mkdtemp(join(tmpdir(), 'estuary-secret-'));
    const first = resolveAuthSecret({ secret: undefined, production: false, devStateDir });
    const second = resolveAuthSecret({ secret: '', production: false, devStateDir });
    expect(first).toBe(second);
    expect(Buffer.byteLength(first)).toBeGreaterThanOrEqual(32);
    expect((await readFile(join(devStateDir, 'auth-secret'), 'utf8')).trim()).toBe(first);
    expect((await stat(join(devStateDir, 'auth-secret'))).mode & 0o077).toBe(0);
  });
});
