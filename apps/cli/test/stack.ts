import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  appRouter,
  createChatServices,
  createHttpContext,
  serveAttachmentRequest,
} from '@estuary/api';
import { closeDb, createDb } from '@estuary/db';
import { freePort } from '@estuary/db/embedded';
import { seedIfEmpty } from '@estuary/db/seed';
import { createTestDatabase } from '@estuary/db/testing';
import { createPostgresBus } from '@estuary/realtime';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { inherited } from './env';

export const SECRET = 'cli-test-secret-cli-test-secret-cli-test-secret';
const here = dirname(fileURLToPath(import.meta.url));
export const cliDir = join(here, '..');
const wsDir = join(cliDir, '..', 'ws');

/**
 * A real stack, small: a seeded test database, the real apps/ws as a child process, and
 * the router over HTTP at /api/trpc in this process (standing in for apps/web's route),
 * with the Postgres bus so sends made over HTTP reach the ws process's subscribers.
 */
export async function startStack() {
  const database = await createTestDatabase();
  await seedIfEmpty(database.url);
  const db = createDb(database.url, { max: 4 });
  const bus = createPostgresBus(database.url);
  const services = createChatServices({ db, bus, authSecret: SECRET, log: () => {} });
  const handler = createHTTPHandler({
    router: appRouter,
    createContext: ({ req }) =>
      createHttpContext(services, new Headers(req.headers as Record<string, string>)),
  });
  const http: Server = createServer((req, res) => {
    const attachments = services.deps.attachments;
    if (attachments && req.url?.startsWith('/api/attachments/')) {
      void serveAttachmentRequest(attachments, req, res).catch(() => res.end());
      return;
    }
    req.url = (req.url ?? '').replace(/^\/api\/trpc/, '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/trpc`;

  const wsPort = await freePort();
  const ws: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: wsDir,
    env: {
      ...inherited,
      DATABASE_URL: database.url,
      AUTH_SECRET: SECRET,
      PORT: String(wsPort),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const wsUrl = `ws://127.0.0.1:${wsPort}`;
  await waitFor(`http://127.0.0.1:${wsPort}/healthz`, 45_000);

  return {
    httpUrl,
    wsUrl,
    services,
    databaseUrl: database.url,
    async stop() {
      ws.kill('SIGTERM');
      await new Promise((r) => (ws.exitCode === null ? ws.once('exit', r) : r(null)));
      http.close();
      await services.close();
      await bus.close();
      await closeDb(db);
      await database.drop();
    },
  };
}

async function waitFor(url: string, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not healthy after ${ms} ms`);
}

/** Runs the CLI as a real process (stdin, exit code, signals), bounded in time. */
export function cli(args: string[], options: { input?: string; timeoutMs?: number } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: cliDir,
      env: { ...inherited, HOME: cliDir, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
