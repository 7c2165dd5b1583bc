import { networkInterfaces } from 'node:os';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, connected, launchBrowser } from './harness/browser';
import { type Stack, startStack } from './harness/stack';

// A new user's first run: `next dev` started as `pnpm dev` starts it (no --hostname), opened
// at http://127.0.0.1:<port> and at the machine's LAN address, as the README and Next's own
// banner invite. The page must hydrate there, and the login form must never put the
// password in a URL, with or without JavaScript.

const PASSWORD = 'estuary-demo';
let browser: Browser;
let stack: Stack;

/** The first non-loopback IPv4 address, as `next dev` prints under "Network". */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

/** Every request a page makes, to check none carries the password. */
function recordRequests(page: Page): Request[] {
  const requests: Request[] = [];
  page.on('request', (request) => requests.push(request));
  return requests;
}

function expectNoSecretInUrls(requests: Request[]) {
  for (const request of requests) {
    expect(request.url()).not.toContain(PASSWORD);
    expect(request.url()).not.toMatch(/[?&]password=/);
  }
  const toSession = requests.filter((r) => new URL(r.url()).pathname === '/api/session');
  expect(toSession.length).toBeGreaterThan(0);
  for (const request of toSession) expect(request.method()).toBe('POST');
}

/** React has taken over the form: hydration attaches its fiber to the DOM node. */
async function hydrated(page: Page) {
  await page.waitForFunction(
    () => {
      const form = document.querySelector('form.login-card');
      return !!form && Object.keys(form).some((key) => key.startsWith('__reactFiber'));
    },
    undefined,
    { timeout: 60_000 },
  );
}

async function fillAndSubmit(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe.runIf(browserAvailable()).sequential('a new user’s first run', () => {
  beforeAll(async () => {
    browser = await launchBrowser();
    // Both as `pnpm dev` has them: next dev on every interface, ws too. (A page at the LAN
    // address may not open a socket to 127.0.0.1: Chromium keeps public pages off loopback.)
    stack = await startStack({ hostname: null, wsPublicHost: lanAddress });
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await stack?.stop();
  });

  const hydratesAndSignsIn = async (origin: string) => {
    const context = await browser.newContext({ baseURL: origin });
    try {
      const page = await context.newPage();
      const requests = recordRequests(page);
      const blocked: string[] = [];
      page.on('response', (res) => {
        if (res.status() === 403 && res.url().includes('/_next/')) blocked.push(res.url());
      });
      await page.goto('/login', { timeout: 120_000 });
      await hydrated(page);
      expect(blocked).toEqual([]);
      await fillAndSubmit(page, 'ada@example.com', PASSWORD);
      await page.waitForURL('**/conversations', { timeout: 120_000 });
      await connected(page);
      expectNoSecretInUrls(requests);
      // Hydrated, the form signs in with a script (JSON), not by submitting itself.
      const post = requests.find((r) => new URL(r.url()).pathname === '/api/session');
      expect(post?.headers()['content-type']).toBe('application/json');
    } finally {
      await context.close();
    }
  };

  it('hydrates at http://127.0.0.1 and signs in', async () => {
    const port = new URL(stack.baseUrl).port;
    await hydratesAndSignsIn(`http://127.0.0.1:${port}`);
  });

  it.runIf(lanAddress)('hydrates at the LAN address `next dev` prints, and signs in', async () => {
    const port = new URL(stack.baseUrl).port;
    await hydratesAndSignsIn(`http://${lanAddress}:${port}`);
  });

  it('without JavaScript, the login form posts (never a GET) and signs in', async () => {
    const context = await browser.newContext({ baseURL: stack.baseUrl, javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      const requests = recordRequests(page);
      await page.goto('/login', { timeout: 120_000 });
      const form = page.locator('form.login-card');
      expect(await form.getAttribute('method')).toBe('post');

      await fillAndSubmit(page, 'ada@example.com', 'not-the-password');
      await page.waitForURL('**/login?error=credentials');
      await page.getByRole('alert').getByText('Wrong email or password').waitFor();

      await fillAndSubmit(page, 'ada@example.com', PASSWORD);
      await page.waitForURL('**/conversations', { timeout: 120_000 });
      const cookies = await context.cookies();
      expect(cookies.some((c) => c.name === 'estuary_session' && c.httpOnly)).toBe(true);

      expectNoSecretInUrls(requests);
      const posts = requests.filter((r) => new URL(r.url()).pathname === '/api/session');
      expect(posts).toHaveLength(2);
      for (const post of posts) {
        expect(post.headers()['content-type']).toBe('application/x-www-form-urlencoded');
        expect(post.postData()).toContain('password=');
      }
    } finally {
      await context.close();
    }
  });

  it('refuses a form sign-in posted from another site, or with no Origin', async () => {
    const body = new URLSearchParams({ email: 'ada@example.com', password: PASSWORD });
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const origin of ['http://evil.example', 'null', undefined]) {
      const res = await fetch(`${stack.baseUrl}/api/session`, {
        method: 'POST',
        headers: origin ? { ...headers, origin } : headers,
        body,
        redirect: 'manual',
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });
});
