import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The lean handler (src/lean) speaks tRPC 11.19.0's socket protocol as its ws adapter does.
 * An upgrade must be a decision: these fail when the version moves or the adapter changes,
 * so whoever upgrades reads the new adapter, updates src/lean, runs the conformance suites
 * (conformance*.test.ts) and only then updates the pins below.
 */
const PINNED = '11.19.0';
const ADAPTER_SHA256 = {
  'dist/adapters/ws.mjs': '02b69bdf8e5142125712f9ebfa64837b637299d889b3bd93ce92748d9f09477d',
  // The chunk the entry re-exports applyWSSHandler from (its name is a content hash too).
  'dist/ws-C7ZOJJeA.mjs': 'e77678a8573461887d9595a569652bd20995c9519cb581be88e6cde69588ef25',
};

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const serverDir = dirname(require.resolve('@trpc/server/package.json'));

describe('tRPC is pinned', () => {
  it(`every workspace package asks for exactly ${PINNED} of every @trpc package`, () => {
    const specs: string[] = [];
    for (const group of ['apps', 'packages']) {
      for (const name of readdirSync(join(root, group))) {
        let manifest: Record<string, Record<string, string> | undefined>;
        try {
          manifest = JSON.parse(readFileSync(join(root, group, name, 'package.json'), 'utf8'));
        } catch {
          continue;
        }
        for (const field of ['dependencies', 'devDependencies', 'peerDependencies'])
          for (const [dep, spec] of Object.entries(manifest[field] ?? {}))
            if (dep.startsWith('@trpc/')) specs.push(`${group}/${name} ${dep}@${spec}`);
      }
    }
    expect(specs.length).toBeGreaterThan(0);
    expect(specs.filter((s) => !s.endsWith(`@${PINNED}`))).toEqual([]);
  });

  it(`the installed @trpc/server and @trpc/client are ${PINNED}`, () => {
    const version = (dir: string) =>
      JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version as string;
    expect(version(serverDir)).toBe(PINNED);
    expect(version(dirname(require.resolve('@trpc/client/package.json')))).toBe(PINNED);
    // And the lockfile resolves no other version of them anywhere.
    const lock = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8');
    const versions = new Set(
      [...lock.matchAll(/'?@trpc\/(?:server|client)@(\d+\.\d+\.\d+[^'(:\s]*)/g)].map((m) => m[1]),
    );
    expect([...versions]).toEqual([PINNED]);
  });

  it('the ws adapter is byte for byte the one src/lean mirrors', () => {
    const entry = readFileSync(join(serverDir, 'dist/adapters/ws.mjs'), 'utf8');
    // If the entry now points at another chunk, the adapter changed.
    expect(entry).toContain('../ws-C7ZOJJeA.mjs');
    for (const [file, sha] of Object.entries(ADAPTER_SHA256)) {
      const actual = createHash('sha256')
        .update(readFileSync(join(serverDir, file)))
        .digest('hex');
      expect(actual, file).toBe(sha);
    }
  });
});
