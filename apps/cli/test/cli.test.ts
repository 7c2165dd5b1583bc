import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenService } from '@estuary/auth';
import { freePort } from '@estuary/db/embedded';
import { DEMO_PASSWORD } from '@estuary/db/seed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/main';
import { inherited } from './env';
import { cli, cliDir, SECRET, startStack } from './stack';

// The seed's booking with a chat; its conversation id is random, so tests look it up.
const CHAT_BOOKING = '5eed0000-0000-4000-8000-000000000001';

async function inProcess(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(
    args,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('estuary cli without a server', () => {
  it('prints help for the tool and each command', async () => {
    const top = await inProcess(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['login', 'conversations', 'send', 'tail']) {
      expect(top.stdout).toContain(command);
      const help = await inProcess([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: estuary ${command}`));
    }
  });

  it('refuses bad arguments with exit code 2', async () => {
    expect((await inProcess(['nope'])).code).toBe(2);
    expect((await inProcess(['send'])).stderr).toContain('Missing <conversationId>');
    expect((await inProcess(['tail', 'not-a-uuid'])).code).toBe(2);
    expect((await inProcess(['conversations', '--bogus'])).code).toBe(2);
  });

  it('tells the user to log in when the token is missing or expired', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'estuary-cli-'));
    const missing = await inProcess(['conversations', '--token-file', join(dir, 'none.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('estuary login');
    const expired = join(dir, 'expired');
    writeFileSync(
      expired,
      (await new TokenService(SECRET).issue(randomUUID(), 'access', -60)).token,
    );
    const result = await inProcess(['conversations', '--token-file', expired]);
    expect(result.stderr).toMatch(/expired.*estuary login/s);
  });

  it('says clearly when the server is unreachable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'estuary-cli-'));
    const file = join(dir, 'token');
    writeFileSync(file, (await new TokenService(SECRET).issue(randomUUID())).token);
    const result = await inProcess([
      'conversations',
      '--token-file',
      file,
      '--http-url',
      `http://127.0.0.1:${await freePort()}/api/trpc`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot reach the server');
  });
});

describe('estuary cli against a real stack', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let tokenFile: string;
  let urls: string[];
  let chat = '';

  beforeAll(async () => {
    stack = await startStack();
    tokenFile = join(mkdtempSync(join(tmpdir(), 'estuary-cli-')), 'estuary', 'token.json');
    urls = ['--http-url', stack.httpUrl, '--ws-url', stack.wsUrl, '--token-file', tokenFile];
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('logs in, stores the token 0600 and never prints it', async () => {
    const result = await cli(['login', '--email', 'ada@example.com', '--password-stdin', ...urls], {
      input: `${DEMO_PASSWORD}\n`,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Signed in as Ada Okafor');
    const saved = JSON.parse(readFileSync(tokenFile, 'utf8')) as { token: string };
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(result.stdout + result.stderr).not.toContain(saved.token);

    const wrong = await cli(['login', '--email', 'ada@example.com', '--password-stdin', ...urls], {
      input: 'nope\n',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^estuary: /);
  });

  it('lists conversations and sends over HTTP and over the socket alone', async () => {
    const list = await inProcess(['conversations', '--json', ...urls]);
    expect(list.code).toBe(0);
    const items = JSON.parse(list.stdout) as { id: string; bookingId: string | null }[];
    chat = items.find((c) => c.bookingId === CHAT_BOOKING)?.id ?? '';
    expect(chat).not.toBe('');

    const sent = await inProcess(['send', chat, 'hello', 'from', 'the', 'cli', '--json', ...urls]);
    expect(JSON.parse(sent.stdout)).toMatchObject({
      content: 'hello from the cli',
      senderName: 'Ada Okafor',
    });
    const overWs = await inProcess(['send', chat, 'over the socket', '--transport', 'ws', ...urls]);
    expect(overWs.code).toBe(0);
    expect(overWs.stdout).toContain('over the socket');
  });

  it('sends a file with --file, and refuses one that is not there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'estuary-cli-'));
    const path = join(dir, 'worksheet.pdf');
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n');
    await writeFile(path, pdf);
    try {
      const sent = await inProcess(['send', chat, '--file', path, '--json', ...urls]);
      expect(sent.code).toBe(0);
      const message = JSON.parse(sent.stdout) as {
        content: string;
        attachments: { name: string; url: string }[];
      };
      expect(message.content).toBe('');
      expect(message.attachments.map((a) => a.name)).toEqual(['worksheet.pdf']);
      const url = new URL(message.attachments[0]?.url ?? '', stack.httpUrl);
      expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(pdf);
      const missing = await inProcess(['send', chat, '--file', join(dir, 'nope.pdf'), ...urls]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain('No such file');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tails a conversation live and exits cleanly on Ctrl-C', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', 'tail', chat, '--json', '--history', '0', ...urls],
      {
        cwd: cliDir,
        env: { ...inherited, NO_COLOR: '1' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Keep sending until the tail shows one (it needs a moment to subscribe); bounded.
    for (let i = 0; i < 40 && !stdout.includes('live from the test'); i++) {
      await inProcess(['send', chat, `live from the test ${i}`, ...urls]);
      await new Promise((r) => setTimeout(r, 250));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const event = JSON.parse(
      stdout.split('\n').find((l) => l.includes('live from the test')) ?? '{}',
    );
    expect(event).toMatchObject({
      type: 'message.created',
      message: { conversationId: chat },
    });
    expect(stderr).not.toContain('Error');
  });
});
