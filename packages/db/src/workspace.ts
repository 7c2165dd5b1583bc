import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The monorepo root: the nearest folder up from `from` that holds pnpm-workspace.yaml. */
export function workspaceRoot(from = process.cwd()): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
}

/** Where `pnpm dev` keeps its local state (database files, the dev secret). Gitignored. */
export function devStateDir(from?: string): string {
  return join(workspaceRoot(from), '.estuary', 'dev');
}
