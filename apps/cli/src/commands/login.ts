import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { anonymousClient, withTimeout } from '../api';
import type { CliEnv } from '../env';
import { CliError, usageError } from '../errors';
import { COMMON_HELP, parse } from '../options';
import { clearSession, saveSession } from '../session';

export const loginHelp = `Usage: estuary login [--email <email>] [--password-stdin]

Signs in with email and password against apps/web (auth.login over HTTP) and stores the
access token in the token file (mode 0600). The token itself is never printed.
Without --password-stdin the password is prompted for (not echoed) on a terminal.

  --email <email>      the account (prompted for when missing)
  --password-stdin     read the password from the first line of standard input

${COMMON_HELP}`;

export const logoutHelp = `Usage: estuary logout

Deletes the stored token file.

${COMMON_HELP}`;

export async function login(argv: string[], env: CliEnv, out: (line: string) => void) {
  const { values, positionals, common, help } = parse(
    'login',
    argv,
    { email: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    env,
  );
  if (help) return out(loginHelp);
  if (positionals.length > 0) throw usageError(`Unexpected argument ${positionals[0]}`, 'login');
  const email = (values.email as string | undefined) ?? (await ask('Email: ', false));
  const password = values['password-stdin'] ? await firstLine() : await ask('Password: ', true);
  if (!email || !password) throw usageError('Email and password are required', 'login');

  const result = await withTimeout(
    common,
    'Login',
    anonymousClient(common).auth.login.mutate({ email, password }),
  );
  await saveSession(common.tokenFile, {
    token: result.token,
    expiresAt: new Date(result.expiresAt),
    user: { id: result.user.id, email: result.user.email, name: result.user.name },
  });
  if (common.json) {
    out(
      JSON.stringify({
        user: result.user,
        expiresAt: result.expiresAt,
        tokenFile: common.tokenFile,
      }),
    );
  } else {
    out(
      `Signed in as ${result.user.name} <${result.user.email}>. Token saved to ${common.tokenFile} (valid until ${new Date(result.expiresAt).toLocaleString()}).`,
    );
  }
}

export async function logout(argv: string[], env: CliEnv, out: (line: string) => void) {
  const { common, help } = parse('logout', argv, {}, env);
  if (help) return out(logoutHelp);
  out((await clearSession(common.tokenFile)) ? 'Signed out.' : 'Was not signed in.');
}

/** Prompts on stderr, so stdout stays clean for --json. Hidden input echoes nothing. */
async function ask(question: string, hidden: boolean): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new CliError(
      hidden
        ? 'No terminal to prompt for the password: pass --password-stdin and pipe it in.'
        : 'No terminal to prompt for the email: pass --email.',
      2,
    );
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = rl.question(question);
    muted = hidden;
    const value = await answer;
    if (hidden) process.stderr.write('\n');
    return hidden ? value : value.trim();
  } finally {
    rl.close();
  }
}

async function firstLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}
