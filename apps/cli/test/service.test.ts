import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inherited } from './env';
import { cliDir, SECRET, startStack } from './stack';

/** The CLI as a process, with the servers' DATABASE_URL and AUTH_SECRET, bounded in time. */
function cli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: cliDir,
      env: { ...inherited, HOME: cliDir, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end();
  });
}

describe('service tokens and the example service', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    stack = await startStack();
    env = { DATABASE_URL: stack.databaseUrl, AUTH_SECRET: SECRET };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('mints a token (alone on the last line), lists it, runs the example service with it, and revokes it', async () => {
    const minted = await cli(
      [
        'service-token',
        '--name',
        'booking-platform',
        '--scope',
        'users',
        'bookings',
        'system-messages',
      ],
      env,
    );
    expect(minted.code).toBe(0);
    const token = minted.stdout.trimEnd().split('\n').at(-1) ?? '';
    expect(token).toMatch(/^est_svc_[A-Za-z0-9_-]{43}$/);

    const listed = await cli(['service-token', '--list'], env);
    expect(listed.stdout).toMatch(/^booking-platform\tusers,bookings,system-messages\t\S+\tlive$/m);
    expect(listed.stdout).not.toContain(token);

    const file = join(mkdtempSync(join(tmpdir(), 'estuary-svc-')), 'token');
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    const urls = ['--http-url', stack.httpUrl, '--ws-url', stack.wsUrl];
    const example = await cli(
      ['example-service', '--service-token-file', file, '--json', ...urls],
      {},
    );
    expect(example.stderr).toBe('');
    const result = JSON.parse(example.stdout) as {
      practitioner: { externalId: string };
      booking: { conversationId: string | null };
      conversation: { id: string; participants: unknown[] };
      message: { kind: string; senderId: string | null; content: string };
    };
    expect(result.practitioner.externalId).toBe('platform-practitioner-42');
    expect(result.conversation.participants).toHaveLength(2);
    expect(result.message).toMatchObject({
      kind: 'system',
      senderId: null,
      content: 'Your session is booked',
    });
    // Run twice: the users are upserted, not duplicated.
    const twice = await cli(
      ['example-service', '--service-token-file', file, '--json', ...urls],
      {},
    );
    expect(twice.code).toBe(0);
    expect(JSON.parse(twice.stdout).client.id).toBe(
      (JSON.parse(example.stdout) as { client: { id: string } }).client.id,
    );

    const revoked = await cli(['service-token', '--revoke', 'booking-platform'], env);
    expect(revoked.code).toBe(0);
    const refused = await cli(['example-service', '--service-token-file', file, ...urls], {});
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Unknown or revoked service token');
    expect((await cli(['service-token', '--revoke', 'booking-platform'], env)).code).toBe(1);
  });

  it('refuses bad arguments with exit code 2 and touches nothing', async () => {
    for (const args of [
      ['service-token'],
      ['service-token', '--name', 'x'],
      ['service-token', '--name', 'x', '--scope', 'admin'],
      ['service-token', '--name', 'bad name', '--scope', 'users'],
      ['service-token', '--list', '--revoke', 'x'],
    ]) {
      expect(`${args.join(' ')}: ${(await cli(args, env)).code}`).toBe(`${args.join(' ')}: 2`);
    }
  });
});
