import { setTimeout as sleep } from 'node:timers/promises';
import superjson from 'superjson';

/**
 * A signed-in caller of /api/trpc over plain HTTP, for arranging data the browsers then
 * see (a long history, a message from a third person) faster than through the UI.
 */
export async function apiAs(baseUrl: string, email: string) {
  const session = await fetch(`${baseUrl}/api/session`, {
    method: 'POST',
    // A browser sends its page's origin; /api/session refuses sign-ins without it.
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ email, password: 'estuary-demo' }),
  });
  const cookie = session.headers.get('set-cookie')?.split(';')[0];
  if (!session.ok || !cookie) throw new Error(`sign-in as ${email} failed (${session.status})`);
  const minted = await fetch(`${baseUrl}/api/session/token`, {
    method: 'POST',
    headers: { cookie },
  });
  const { token } = (await minted.json()) as { token: string };
  return apiWithToken(baseUrl, token);
}

/** A caller of /api/trpc with a bearer token: a user's, or a service's. */
export function apiWithToken(baseUrl: string, token: string) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  async function call<T>(kind: 'query' | 'mutation', path: string, input?: unknown): Promise<T> {
    const url = `${baseUrl}/api/trpc/${path}`;
    const body = JSON.stringify(superjson.serialize(input));
    // Rate limits answer 429; wait and try again, a bounded number of times.
    for (let attempt = 0; attempt < 20; attempt++) {
      const res =
        kind === 'query'
          ? await fetch(`${url}?input=${encodeURIComponent(body)}`, { headers })
          : await fetch(url, { method: 'POST', headers, body });
      if (res.status === 429) {
        await sleep(300);
        continue;
      }
      const json = (await res.json()) as { result?: { data: never }; error?: unknown };
      if (!res.ok || !json.result) throw new Error(`${path}: ${JSON.stringify(json.error)}`);
      return superjson.deserialize(json.result.data) as T;
    }
    throw new Error(`${path}: still rate limited after 20 tries`);
  }
  return {
    query: <T>(path: string, input?: unknown) => call<T>('query', path, input),
    mutate: <T>(path: string, input?: unknown) => call<T>('mutation', path, input),
  };
}
