import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from './fixtures';
import { startNode, type WsNode } from './nodes';
import { errorCode, rawSocket } from './socket';

let world: World;
let node: WsNode;
beforeAll(async () => {
  world = await startWorld();
  node = await startNode({ DATABASE_URL: world.url, LOG_LEVEL: 'debug' });
});
afterAll(async () => {
  await node?.kill();
  await world?.close();
});

describe('connecting to apps/ws', () => {
  it('refuses a socket with no token, a bad token or an expired token (UNAUTHORIZED), and closes it', async () => {
    const user = await world.user();
    const expired = (await world.tokens.issue(user.id, 'access', -1)).token;
    const cases: Record<string, string>[] = [
      {},
      { token: '' },
      { token: 'not-a-token' },
      { token: expired },
    ];
    for (const params of cases) {
      const socket = await rawSocket(node.url, { params });
      const frame = await socket.frame((f) => f.id === null && 'error' in f);
      expect(errorCode(frame)).toBe('UNAUTHORIZED');
      // 4001: "your token", so a client knows to fetch a new one rather than just retry.
      expect(await socket.closed).toBe(4001);
    }
    // No connectionParams at all.
    const bare = await rawSocket(node.url);
    expect(errorCode(await bare.frame((f) => 'error' in f))).toBe('UNAUTHORIZED');
    await bare.closed;
  });

  it('serves auth.me to a socket with a good token', async () => {
    const user = await world.user('practitioner');
    const client = world.client(user, node.url);
    expect(await client.auth.me.query()).toEqual(user);
  });

  it('refuses tokens (or anything else) in the URL', async () => {
    const user = await world.user();
    const { token } = await world.tokens.issue(user.id);
    await expect(rawSocket(`${node.url}/?token=${token}`)).rejects.toThrow(/HTTP 400/);
    await expect(
      rawSocket(`${node.url}/?connectionParams=1&access_token=${token}`),
    ).rejects.toThrow(/HTTP 400/);
  });

  it('answers /healthz, /readyz and /metrics', async () => {
    expect(await (await fetch(`${node.http}/healthz`)).json()).toMatchObject({ ok: true });
    const ready = await fetch(`${node.http}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ok: true,
      checks: { database: { ok: true }, bus: { ok: true } },
    });
    const metrics = await (await fetch(`${node.http}/metrics`)).text();
    for (const name of [
      'estuary_ws_connections',
      'estuary_ws_subscriptions',
      'estuary_ws_frames_in_total',
      'estuary_ws_frames_out_total',
      'estuary_bus_delivery_lag_seconds',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(metrics).toContain(name);
    }
  });

  it('never logs tokens or message content, even at debug level', async () => {
    const user = await world.user();
    const other = await world.user('practitioner');
    const group = await world.group(user, [other]);
    const { token } = await world.tokens.issue(user.id);
    const client = world.client(user, node.url);
    const secret = `very-private-${randomUUID()}`;
    await client.message.send.mutate({
      conversationId: group.id,
      clientId: randomUUID(),
      content: secret,
    });
    // A failing call and a refused socket, so the error paths log too.
    await client.message.send
      .mutate({ conversationId: randomUUID(), clientId: randomUUID(), content: secret })
      .catch(() => {});
    const refused = await rawSocket(node.url, { params: { token: `${token}x` } });
    await refused.closed;
    await new Promise((r) => setTimeout(r, 300));
    expect(node.output()).not.toContain(secret);
    expect(node.output()).not.toContain(token.split('.')[2]);
    expect(node.output().length).toBeGreaterThan(0);
  });
});

describe('configuration', () => {
  it('refuses to start in production without a real AUTH_SECRET, and says why', async () => {
    for (const secret of [undefined, 'too-short']) {
      const probe = await startNode({
        NODE_ENV: 'production',
        AUTH_SECRET: secret,
        DATABASE_URL: world.url,
      }).then(
        async (n) => {
          await n.kill();
          return 'started';
        },
        (error: Error) => error.message,
      );
      expect(probe).toMatch(/AUTH_SECRET/);
    }
  });

  it('`pnpm --filter @estuary/ws start` runs the built server, and with DATABASE_URL starts no embedded database', async () => {
    const appDir = fileURLToPath(new URL('..', import.meta.url));
    const build = spawnSync('pnpm', ['run', 'build'], { cwd: appDir, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const built = await startNode(
      { DATABASE_URL: world.url, LOG_LEVEL: 'info' },
      { command: ['dist/main.js'] },
    );
    try {
      expect(built.output()).toContain('ws server listening');
      expect(built.output()).not.toContain('embedded Postgres');
      const children = spawnSync('pgrep', ['-P', String(built.process.pid)], { encoding: 'utf8' });
      expect(children.stdout.trim()).toBe('');
    } finally {
      await built.kill('SIGTERM');
    }
  });
});
