import { randomUUID } from 'node:crypto';
import {
  AUDIENCE,
  ISSUER,
  newKey,
  platformToken,
  type SigningKey,
  startJwksServer,
} from '@estuary/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from './fixtures';
import { startNode, type WsNode } from './nodes';
import { errorCode, rawSocket } from './socket';
import { metric } from './workload';

let world: World;
let node: WsNode;
let jwks: Awaited<ReturnType<typeof startJwksServer>>;
let key: SigningKey;

beforeAll(async () => {
  world = await startWorld();
  key = await newKey('ES256');
  jwks = await startJwksServer([key]);
  // The key server starts out down: the first platform token meets the outage.
  jwks.state.down = true;
  node = await startNode({
    DATABASE_URL: world.url,
    AUTH_JWKS_URL: jwks.url,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_CLAIM_NAME: 'display_name',
  });
});
afterAll(async () => {
  await node?.kill();
  await world?.close();
  await jwks?.close();
});

/** auth.me over a raw socket: the answer frame, or the refusal. */
async function meOver(token: string) {
  const socket = await rawSocket(node.url, { params: { token } });
  socket.send({ id: 1, method: 'query', params: { path: 'auth.me', input: { json: null } } });
  const frame = await socket.frame((f) => f.id === 1 || (f.id === null && 'error' in f));
  socket.ws.close();
  return frame;
}

describe('platform tokens on apps/ws', () => {
  it('refuses them while the key server is down (counted in /metrics), then signs them in', async () => {
    const sub = `p-${randomUUID()}`;
    const token = await platformToken(key, {
      sub,
      email: `${sub}@platform.example`,
      display_name: 'Robin Platform',
      role: 'client',
    });
    const refused = await meOver(token);
    expect(errorCode(refused)).toBe('UNAUTHORIZED');
    expect(JSON.stringify(refused)).toContain('signing keys cannot be fetched');
    expect(await metric(node, 'estuary_platform_key_fetch_failures_total')).toBeGreaterThanOrEqual(
      1,
    );

    // Our own tokens never depended on it.
    const own = await world.user();
    expect(await world.client(own, node.url).auth.me.query()).toEqual(own);

    jwks.state.down = false;
    // jose waits out its cooldown before fetching again; keep asking, bounded.
    const deadline = Date.now() + 45_000;
    let frame = await meOver(token);
    while (errorCode(frame) === 'UNAUTHORIZED' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1_000));
      frame = await meOver(token);
    }
    expect(JSON.stringify(frame)).toContain('Robin Platform');
    expect(JSON.stringify(frame)).toContain(sub);
  });
});
