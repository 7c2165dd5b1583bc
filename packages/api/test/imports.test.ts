import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DependencyTree, parseCircular, parseDependencyTree } from 'dpdm';
import { describe, expect, it } from 'vitest';

/**
 * The module map holds by itself: no import cycle (type-only imports count, they are arrows
 * a reader follows too), and the layers point one way: routers → domain → (db, events),
 * live → domain. A failure names the files.
 */

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * dpdm reads import statements and `import()` calls, not `import('…').Name` in a type
 * position, which is how the old live/topics ↔ domain cycle hid. Those are added here.
 */
function withInlineTypeImports(tree: DependencyTree): DependencyTree {
  const inline = /import\(\s*'(\.[^']+)'\s*\)\s*\./g;
  const out: Record<string, DependencyTree[string]> = {};
  for (const [file, deps] of Object.entries(tree)) {
    if (!deps || !/^\w+\/src\/.*\.tsx?$/.test(file)) {
      out[file] = deps;
      continue;
    }
    const extra = [...readFileSync(resolve(packages, file), 'utf8').matchAll(inline)].map((m) => ({
      issuer: file,
      request: m[1] as string,
      kind: deps[0]?.kind ?? ('StaticImport' as never),
      id: relative(packages, `${resolve(packages, dirname(file), m[1] as string)}.ts`),
    }));
    out[file] = [...deps, ...extra];
  }
  return out;
}

async function graphOf(pkg: string): Promise<DependencyTree> {
  const tree = await parseDependencyTree(`${pkg}/src/**/*.{ts,tsx}`, {
    cwd: packages,
    context: packages,
    transform: false,
  });
  return withInlineTypeImports(tree);
}

const show = (cycles: string[][]) => cycles.map((c) => [...c, c[0]].join(' → '));

describe('import graph', () => {
  for (const pkg of ['api', 'realtime', 'client']) {
    it(`packages/${pkg}/src has no import cycle`, async () => {
      const tree = await graphOf(pkg);
      expect(Object.keys(tree).length).toBeGreaterThan(3);
      expect(show(parseCircular(tree))).toEqual([]);
    });
  }

  it('the domain imports nothing from the layers above it', async () => {
    const tree = await graphOf('api');
    const above =
      /^api\/src\/(live|routers|rest|notify)\/|^api\/src\/(services|trpc|context|root)\.ts$/;
    const upward = Object.entries(tree)
      .filter(([file]) => file.startsWith('api/src/domain/'))
      .flatMap(([file, deps]) =>
        (deps ?? []).filter((d) => d.id && above.test(d.id)).map((d) => `${file} → ${d.id}`),
      );
    expect(upward).toEqual([]);
  });
});
