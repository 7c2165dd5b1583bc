import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CliError, LOGIN_HINT } from './errors';

export interface Session {
  token: string;
  expiresAt: Date | null;
  /** Who this is, for messages; absent for a bare token file. */
  user?: { id: string; email: string; name: string };
}

export const defaultTokenFile = (configDir: string) => join(configDir, 'token.json');

/** The JWT's `exp`, read without verifying: only to tell the user early that it ran out. */
export function tokenExpiry(token: string): Date | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    return typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null;
  } catch {
    return null;
  }
}

/**
 * Stores the token readable by its owner only. Written to a temporary file with mode 0600
 * and renamed, so no other user ever sees a partly written or wider-permission file.
 */
export async function saveSession(file: string, session: Session): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

/**
 * Reads the token file: the JSON `login` writes, or a file holding just a token (a minted
 * one, for scripts and tests). Refuses a missing or expired token with a hint to log in.
 */
export async function loadSession(file: string, now = Date.now()): Promise<Session> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') {
      throw new CliError(`Not signed in (no token at ${file}). ${LOGIN_HINT}`);
    }
    throw error;
  }
  let session: Session;
  if (text.startsWith('{')) {
    const parsed = JSON.parse(text) as { token?: unknown; user?: Session['user'] };
    if (typeof parsed.token !== 'string') throw new CliError(`No token in ${file}. ${LOGIN_HINT}`);
    session = { token: parsed.token, expiresAt: tokenExpiry(parsed.token), user: parsed.user };
  } else {
    session = { token: text, expiresAt: tokenExpiry(text) };
  }
  if (!session.token) throw new CliError(`The token file ${file} is empty. ${LOGIN_HINT}`);
  if (session.expiresAt && session.expiresAt.getTime() <= now) {
    throw new CliError(
      `Your session expired at ${session.expiresAt.toLocaleString()}. ${LOGIN_HINT}`,
    );
  }
  return session;
}

export async function clearSession(file: string): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch {
    return false;
  }
}
