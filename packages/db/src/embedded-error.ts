/**
 * A failure of the embedded Postgres, said in one line that tells the reader what to do.
 * The full server output, when there is one, is kept in `details` (and went to `onLog`).
 */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
  /** The server's own output, when there is one. Not enumerable: printing the error shows one line. */
  declare readonly details: string;
  constructor(message: string, details = '') {
    super(message);
    Object.defineProperty(this, 'details', { value: details, enumerable: false });
    // A message for a person at a terminal: a stack trace would only bury it.
    this.stack = `${this.name}: ${message}`;
  }
}

const USE_YOUR_OWN = 'or set DATABASE_URL to a Postgres of your own';

/** What initdb or postgres printed, turned into the one line a developer can act on. */
export function explainServerFailure(what: 'initdb' | 'postgres', output: string, dataDir: string) {
  const text = output.toLowerCase();
  const hint = (message: string) => new EmbeddedPostgresError(message, output);
  if (text.includes('address already in use') || text.includes('could not bind'))
    return hint(
      `embedded Postgres: its port is taken by another program; stop it, ${USE_YOUR_OWN}`,
    );
  if (text.includes('database files are incompatible'))
    return hint(
      `embedded Postgres: ${dataDir} holds data from another Postgres version; delete that folder to start over, ${USE_YOUR_OWN}`,
    );
  if (text.includes('lock file') && text.includes('already exists'))
    return hint(
      `embedded Postgres: another server is running on ${dataDir}; stop it (or the \`pnpm dev\` that owns it) and try again`,
    );
  if (text.includes('no space left on device'))
    return hint(`embedded Postgres: the disk is full (data in ${dataDir}); free some space`);
  if (text.includes('shared memory') || text.includes('could not map anonymous'))
    return hint(
      `embedded Postgres: the system refused it shared memory; raise the limit (a container's --shm-size), ${USE_YOUR_OWN}`,
    );
  if (text.includes('permission denied'))
    return hint(
      `embedded Postgres: permission denied on ${dataDir} (${firstProblem(output)}); delete that folder to start over, ${USE_YOUR_OWN}`,
    );
  if (text.includes('exists but is not empty'))
    return hint(
      `embedded Postgres: ${dataDir} is not empty but holds no database; delete that folder to start over`,
    );
  if (text.includes('error while loading shared libraries'))
    return hint(
      `embedded Postgres cannot run on this system (${firstProblem(output)}); ${USE_YOUR_OWN.slice(3)}`,
    );
  return hint(
    `embedded Postgres: ${what} failed (${firstProblem(output) || 'no output'}); delete ${dataDir} to start over, ${USE_YOUR_OWN}`,
  );
}

/** The line of the output that says what went wrong. */
function firstProblem(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const problem =
    lines.find((line) => /\b(FATAL|PANIC|error):/i.test(line)) ??
    lines.find((line) => /error/i.test(line)) ??
    lines.at(-1) ??
    '';
  return problem.replace(/^\S+\s+\S+\s+UTC\s+\[\d+\]\s+/, '').slice(0, 300);
}
