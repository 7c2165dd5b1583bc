import type { Service } from './processes';

const COMPILE_TIMEOUT_MS = 300_000;

async function request(url: string, init: RequestInit, service: Service) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(COMPILE_TIMEOUT_MS) });
  if (res.status >= 500) {
    throw new Error(`${url} answered ${res.status} while warming up:\n${service.output()}`);
  }
  return res;
}

/**
 * `next dev` compiles each route on its first request, which takes tens of seconds on a
 * small machine. Asking for every route once, signed in, keeps compile time out of the
 * timing-sensitive steps of the tests.
 */
export async function warmUp(baseUrl: string, extraPaths: string[], web: Service) {
  await request(`${baseUrl}/login`, {}, web);
  const signIn = await request(
    `${baseUrl}/api/session`,
    {
      method: 'POST',
      // A browser sends its page's origin; /api/session refuses sign-ins without it.
      headers: { 'content-type': 'application/json', origin: baseUrl },
      body: JSON.stringify({ email: 'ada@example.com', password: 'estuary-demo' }),
    },
    web,
  );
  const cookie = signIn.headers.get('set-cookie')?.split(';')[0];
  if (!signIn.ok || !cookie) throw new Error(`warm-up sign-in failed (${signIn.status})`);
  const headers = { cookie };
  const token = await request(`${baseUrl}/api/session/token`, { method: 'POST', headers }, web);
  const { token: accessToken } = (await token.json()) as { token: string };
  await request(
    `${baseUrl}/api/trpc/auth.me`,
    { headers: { authorization: `Bearer ${accessToken}` } },
    web,
  );
  for (const path of ['/conversations', '/bookings', ...extraPaths]) {
    await request(`${baseUrl}${path}`, { headers }, web);
  }
}
