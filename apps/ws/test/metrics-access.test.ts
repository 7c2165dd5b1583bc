import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from './fixtures';
import { freePort, startNode } from './nodes';

/**
 * /metrics tells anyone how busy a node is and what it runs; in production it is served only
 * behind METRICS_TOKEN or on METRICS_PORT. In dev it stays open (the other suites read it).
 */

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

const production = {
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  AUTH_SECRET: 'a-real-production-secret-that-is-long-enough-0123456789',
};
const TOKEN = 'metrics-token-0123456789abcdef';

describe('/metrics in production', () => {
  it('is not served on the public port without METRICS_TOKEN or METRICS_PORT', async () => {
    const node = await startNode({ ...production, DATABASE_URL: world.url });
    try {
      expect((await fetch(`${node.http}/metrics`)).status).toBe(404);
      expect((await fetch(`${node.http}/healthz`)).status).toBe(200);
    } finally {
      await node.kill();
    }
  });

  it('with METRICS_TOKEN, answers only a matching bearer token', async () => {
    const node = await startNode({ ...production, DATABASE_URL: world.url, METRICS_TOKEN: TOKEN });
    try {
      const url = `${node.http}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      const wrong = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}x` } });
      expect(wrong.status).toBe(401);
      // Never in the URL.
      expect((await fetch(`${url}?token=${TOKEN}`)).status).toBe(401);
      const right = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(right.status).toBe(200);
      expect(await right.text()).toContain('estuary_ws_connections');
    } finally {
      await node.kill();
    }
  });

  it('with METRICS_PORT, is served there and not on the public port', async () => {
    const metricsPort = await freePort();
    const node = await startNode({
      ...production,
      DATABASE_URL: world.url,
      METRICS_PORT: String(metricsPort),
    });
    try {
      expect((await fetch(`${node.http}/metrics`)).status).toBe(404);
      const served = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(served.status).toBe(200);
      expect(await served.text()).toContain('estuary_ws_connections');
    } finally {
      await node.kill();
    }
  });
});

describe('/metrics in dev', () => {
  it('stays open', async () => {
    const node = await startNode({ DATABASE_URL: world.url });
    try {
      expect((await fetch(`${node.http}/metrics`)).status).toBe(200);
    } finally {
      await node.kill();
    }
  });
});
