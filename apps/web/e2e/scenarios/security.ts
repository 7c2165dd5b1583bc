import { request } from 'node:http';
import { expect, it } from 'vitest';
import { consoleErrors, signIn } from '../harness/browser';
import type { World } from './world';

/**
 * POSTs a body chunked (no Content-Length), as an attacker dodging a header check would,
 * up to 1 MiB, and resolves with the status and body of the answer: a server that enforces
 * the cap answers while the upload is still going, then cuts it.
 */
function postChunked(url: string, origin: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, 'transfer-encoding': 'chunked' },
    });
    const timer = setTimeout(() => reject(new Error('no answer within 30 s')), 30_000);
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    // Once the server has answered, a cut upload is what we expect.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const chunk = '['.padEnd(16 * 1024, ' ');
    let sent = 0;
    const pump = () => {
      while (!answered && sent < 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/** Request bodies, sign-in CSRF and throttling, headers, and sign-out everywhere. */
export function security(world: World) {
  it('caps every request body on the stream, chunked or not', async () => {
    const { baseUrl } = world.stack;
    for (const path of ['/api/trpc/auth.login', '/api/session']) {
      const res = await postChunked(`${baseUrl}${path}`, baseUrl);
      expect(`${path} ${res.status}`).toBe(`${path} 413`);
      expect(res.body).toMatch(/PAYLOAD_TOO_LARGE/);
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
      // The browser context's own cookies, outside the page (which may navigate meanwhile).
      const mint = (page: typeof here) =>
        page
          .context()
          .request.post(`${stack.baseUrl}/api/session/token`)
          .then((r) => r.status());
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
