import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchRoot, tsxImport } from '../src/targets';

// null when the half-rate window had nothing to measure, as tiny runs often do.
const numberOrNull = expect.toSatisfy((v: unknown) => v === null || typeof v === 'number');

const headline = {
  connections: expect.any(Number),
  deliveriesPerSec: expect.any(Number),
  latencyMs: { p50: numberOrNull, p95: numberOrNull, p99: numberOrNull },
  rssPerConnectionKiB: expect.any(Number),
  serverCpuUsPerMessage: numberOrNull,
  serverCpuUsPerDelivery: numberOrNull,
  dbCpuUsPerMessage: numberOrNull,
  connectsPerSec: expect.any(Number),
  connectCpuUsPerConnection: numberOrNull,
};

/**
 * The whole pipeline on a tiny workload: Postgres, the real ws server from source, the
 * four baselines, 20 connections each, a couple of short windows. It checks the shape of
 * what comes out, never how fast anything was: the machine is shared and noisy.
 */
describe('pnpm bench (tiny run)', () => {
  it('writes well-formed JSON and an SVG chart for all five targets', () => {
    const out = mkdtempSync(join(tmpdir(), 'estuary-bench-test-'));
    const args = [
      '--connections',
      '20',
      '--window-ms',
      '400',
      '--ramp-steps',
      '1',
      '--from-source',
      '--out',
      out,
    ];
    const run = spawnSync(process.execPath, ['--import', tsxImport, 'src/main.ts', ...args], {
      cwd: benchRoot,
      encoding: 'utf8',
      timeout: 140_000,
    });
    expect(run.stderr).not.toMatch(/failed:/);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('full stack');

    const results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
    for (const name of ['rawWs', 'socketIo', 'trpcBare']) {
      expect(Object.keys(results[name]).sort()).toEqual(Object.keys(headline).sort());
      expect(results[name]).toMatchObject(headline);
      expect(results[name].connections).toBe(20);
    }
    expect(results.fullStack).toMatchObject({ ...headline, persistedPerSec: expect.any(Number) });
    expect(results.fullStack.connections).toBe(20);
    expect(results.socketIoPg).toMatchObject({ ...headline, persistedPerSec: expect.any(Number) });
    expect(results.socketIoPg.connections).toBe(20);
    // Its sends reach the database: the window persisted some (a ramp window sends at least one).
    const pgRun = results.detail.socketIoPg;
    expect(
      [...pgRun.steps, ...pgRun.ramp].some(
        (w: { persistedPerSec: number }) => w.persistedPerSec > 0,
      ),
    ).toBe(true);
    expect(results.fullStack.connectsPerSec).toBeGreaterThan(0);
    expect(Object.keys(results.ratios).sort()).toEqual([
      'fullStackVsRawWs',
      'fullStackVsSocketIo',
      'fullStackVsSocketIoPg',
      'fullStackVsTrpcBare',
    ]);
    expect(results.machine).toMatchObject({ cores: expect.any(Number), node: process.version });

    const svg = readFileSync(join(out, 'latest.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const label of [
      'bare ws',
      'Socket.IO',
      'stock tRPC',
      'Socket.IO + Postgres',
      'full stack',
    ])
      expect(svg).toContain(label);
  });
});
