import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Inside a transaction, only the transaction handle: a call that holds a connection and asks
 * the pool for another can wedge the pool (see pool.test.ts for the live reproduction). This
 * reads every transaction body in the package and fails on a pool reference inside one.
 */

const src = join(import.meta.dirname, '..', 'src');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? files(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

/** The body of each `.begin(…, (tx) => { … })` and `.transaction((tx) => { … })` callback. */
function transactionBodies(code: string): string[] {
  const bodies: string[] = [];
  const opener = /\.(begin|transaction)\(/g;
  for (let match = opener.exec(code); match; match = opener.exec(code)) {
    const arrow = code.indexOf('=>', match.index);
    const start = code.indexOf('{', arrow);
    if (arrow < 0 || start < 0) continue;
    let depth = 0;
    for (let i = start; i < code.length; i++) {
      if (code[i] === '{') depth++;
      else if (code[i] === '}' && --depth === 0) {
        bodies.push(code.slice(start, i + 1));
        break;
      }
    }
  }
  return bodies;
}

describe('transactions', () => {
  const all = files(src).map((file) => ({ file, code: readFileSync(file, 'utf8') }));

  it('are found (the scan is not vacuous)', () => {
    expect(all.flatMap(({ code }) => transactionBodies(code)).length).toBeGreaterThanOrEqual(5);
  });

  it('never reach for the pool inside their body', () => {
    const offenders = all.flatMap(({ file, code }) =>
      transactionBodies(code)
        .filter((body) =>
          /\bdeps\.db\b|\$client|\bdb\.(execute|select|insert|update|delete)\b|\(\s*(deps\.)?db\s*,/.test(
            body,
          ),
        )
        .map((body) => `${file.slice(src.length + 1)}: ${body.slice(0, 120)}…`),
    );
    expect(offenders).toEqual([]);
  });
});
