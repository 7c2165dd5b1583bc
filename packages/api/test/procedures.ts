import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { workspaceRoot } from '@estuary/db';

export type Kind = 'query' | 'mutation' | 'subscription';

/**
 * The procedures a contract document lists: rows like "| `message.send` | mutation | …".
 * The steering copy (../shared/API.md, next to the repository) wins when it is there; the
 * committed copy (packages/api/API.md) keeps the test meaningful in any checkout.
 */
export function contractFiles(): string[] {
  const candidates = [
    resolve(workspaceRoot(), '..', 'shared', 'API.md'),
    resolve(import.meta.dirname, '..', 'API.md'),
  ];
  return candidates.filter((file) => {
    try {
      readFileSync(file);
      return true;
    } catch {
      return false;
    }
  });
}

export function proceduresIn(file: string): Map<string, Kind> {
  const found = new Map<string, Kind>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^\|\s*`([a-z]+\.[a-zA-Z]+)`\s*\|\s*(query|mutation|subscription)\s*\|/.exec(
      line,
    );
    if (match?.[1] && match[2]) found.set(match[1], match[2] as Kind);
  }
  return found;
}
