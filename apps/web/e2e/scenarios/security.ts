import { expect, it } from 'vitest';
import { consoleErrors, signIn } from '../harness/browser';
import type { World } from './world';

const BIG = 200 * 1024;

/** A body sent chunked (no Content-Length), as an attacker would to dodge a header check. */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const chunk = new TextEncoder().encode('['.padEnd(16 * 1024, ' '));
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

/** Request bodies, sign-in CSRF and throttling, headers, and sign-out everywhere. */
export function security(world: World) {
  it('caps every request body on the stream, chunked or not', async () => {
    const { baseUrl } = world.stack;
    for (const path of ['/api/trpc/auth.login', '/api/session']) {
      const res = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: baseUrl },
        body: chunked(BIG),
        duplex: 'half',
      } as RequestInit);
      expect(`${path} ${res.status}`).toBe(`${path} 413`);
      if (path === '/api/trpc/auth.login')
        expect(((await res.json()) as { error: { data: { code: string } } }).error.data.code).toBe(
          'PAYLOAD_TOO_LARGE',
        );
    }
  });

  it('refuses a cross-site or non-JSON sign-in', async () => {
    const { baseUrl } = world.stack;
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${baseUrl}/api/session`, { method: 'POST', headers, body }).then((r) => r.status);
    const credentials = 'email=ada@example.com&password=estuary-demo';
    const json = JSON.stringify({ email: 'ada@example.com', password: 'estuary-demo' });
    // A form on another site: text/plain, its own origin.
    expect(await post({ 'content-type': 'text/plain', origin: 'https://evil.example' }, json)).toBe(
      403,
    );
    expect(
      await post({ 'content-type': 'application/json', origin: 'https://evil.example' }, json),
    ).toBe(403);
    expect(await post({ 'content-type': 'application/json' }, json)).toBe(403);
    expect(await post({ 'content-type': 'text/plain', origin: baseUrl }, credentials)).toBe(415);
    expect(await post({ 'content-type': 'application/json', origin: baseUrl }, json)).toBe(200);
  });

  it('throttles guesses at /api/session with a retry time', async () => {
    const { baseUrl } = world.stack;
    const guess = () =>
      fetch(`${baseUrl}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: baseUrl },
        body: JSON.stringify({ email: 'emma@example.com', password: 'not-her-password' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await guess()).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    const refused = await guess();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as { error: string; retryAfterMs: number };
    expect(body.error).toMatch(/try again in \d+ s/);
    expect(body.retryAfterMs).toBeGreaterThan(0);
  });

  it('sends security headers, and the app runs under them', async () => {
    const res = await fetch(`${world.stack.baseUrl}/login`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/connect-src [^;]*ws:/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    // The scenarios before this one ran under the policy; the browser reported no violation.
    expect(consoleErrors.filter((line) => /Content Security Policy/i.test(line))).toEqual([]);
  });

  it('signs out everywhere: every session of the user ends', async () => {
    const { browser, stack } = world;
    const here = await signIn(browser, stack.baseUrl, 'dev@example.com');
    const there = await signIn(browser, stack.baseUrl, 'dev@example.com');
    try {
      const mint = (page: typeof here) =>
        page.evaluate(() => fetch('/api/session/token', { method: 'POST' }).then((r) => r.status));
      expect(await mint(there)).toBe(200);
      await here.getByRole('button', { name: 'Sign out everywhere' }).click();
      await here.waitForURL('**/login');
      expect(await mint(there)).toBe(401);
      await there.goto('/conversations');
      await there.waitForURL('**/login');
    } finally {
      await here.context().close();
      await there.context().close();
    }
  });
}
