import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServiceScope, ServiceTokens } from '@estuary/api';
import { closeDb, createDb, type Db } from '@estuary/db';
import { freePort } from '@estuary/db/embedded';
import { e2eEnv } from '../env';
import { startDatabase } from './database';
import { type Service, startService, waitForHttp } from './processes';
import { warmUp } from './warm-up';

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const wsDir = resolve(webDir, '../ws');

export interface StackOptions {
  /**
   * Where `next dev` listens: 127.0.0.1 by default; null for what `pnpm dev` does (no
   * --hostname: every interface, and Next then trusts only `localhost` unless told more).
   */
  hostname?: string | null;
  /**
   * The host browsers reach apps/ws at. Set, ws listens on every interface (as under
   * `pnpm dev`), so a page opened at a LAN address gets its socket there too.
   */
  wsPublicHost?: string;
}

/**
 * The app as `pnpm dev` runs it, on free ports: embedded Postgres (migrated and seeded),
 * apps/ws, and `next dev` for apps/web, sharing one AUTH_SECRET.
 */
export async function startStack(options: StackOptions = {}) {
  const hostname = options.hostname === undefined ? '127.0.0.1' : options.hostname;
  const wsHost = options.wsPublicHost ? '0.0.0.0' : '127.0.0.1';
  const wsPublicHost = options.wsPublicHost ?? '127.0.0.1';
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => {});
  };
  try {
    const database = await startDatabase();
    started.push(database);
    const [wsPort, webPort] = [await freePort(), await freePort()];
    const secret = randomBytes(48).toString('base64url');
    // Attachments go to a throwaway directory, not the developer's .estuary/dev.
    const attachmentsDir = await mkdtemp(join(tmpdir(), 'estuary-e2e-files-'));
    started.push({ stop: () => rm(attachmentsDir, { recursive: true, force: true }) });
    const baseEnv = {
      ...e2eEnv.inherited,
      DATABASE_URL: database.url,
      AUTH_SECRET: secret,
      LOG_LEVEL: 'warn',
      ATTACHMENTS_DIR: attachmentsDir,
    };

    const startWs = async () => {
      const ws = startService('ws', process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: wsDir,
        env: { ...baseEnv, PORT: String(wsPort), HOST: wsHost, NODE_ENV: 'development' },
      });
      await waitForHttp(`http://127.0.0.1:${wsPort}/healthz`, { timeoutMs: 120_000, service: ws });
      return ws;
    };
    let ws: Service = await startWs();
    started.push({ stop: () => ws.stop() });

    // A dist dir per run: Next allows one dev server per dist dir, so concurrent runs (or a
    // developer's `pnpm dev`) must not share one. next dev also rewrites next-env.d.ts to
    // point into it; the original is put back afterwards so tsc keeps working.
    const distDir = `.next/e2e/${process.pid}-${Date.now().toString(36)}`;
    const nextEnvFile = resolve(webDir, 'next-env.d.ts');
    const nextEnv = await readFile(nextEnvFile, 'utf8').catch(() => null);
    started.push({
      async stop() {
        if (nextEnv === null) await rm(nextEnvFile, { force: true });
        else await writeFile(nextEnvFile, nextEnv);
        await rm(resolve(webDir, distDir), { recursive: true, force: true });
      },
    });
    const nextBin = createRequire(`${webDir}/package.json`).resolve('next/dist/bin/next');
    const baseUrl = `http://127.0.0.1:${webPort}`;
    const startWeb = async () => {
      const web = startService(
        'web',
        process.execPath,
        [nextBin, 'dev', '--port', String(webPort), ...(hostname ? ['--hostname', hostname] : [])],
        {
          cwd: webDir,
          env: {
            ...baseEnv,
            WS_PUBLIC_URL: `ws://${wsPublicHost}:${wsPort}`,
            NEXT_TELEMETRY_DISABLED: '1',
            ESTUARY_NEXT_DIST_DIR: distDir,
          },
          onOrphan: {
            removeDir: resolve(webDir, distDir),
            restore: { path: nextEnvFile, content: nextEnv },
          },
        },
      );
      await waitForHttp(`${baseUrl}/login`, { timeoutMs: 300_000, service: web, anyStatus: true });
      return web;
    };
    let web: Service = await startWeb();
    started.push({ stop: () => web.stop() });

    const db: Db = createDb(database.url, { max: 2 });
    started.push({ stop: () => closeDb(db) });
    const [conversation] = await db.$client<{ id: string }[]>`
      select id from conversations where booking_id = '5eed0000-0000-4000-8000-000000000001'`;
    if (!conversation) throw new Error('the seed has no booking conversation');
    await warmUp(baseUrl, [`/conversations/${conversation.id}`], web);

    return {
      baseUrl,
      wsUrl: `ws://127.0.0.1:${wsPort}`,
      db,
      seededConversationId: conversation.id,
      /** SIGKILL: no goodbye to clients, no presence cleanup, as a crash would be. */
      async killWs() {
        await ws.stop('SIGKILL');
      },
      async restartWs() {
        ws = await startWs();
      },
      /** apps/web's whole process group (next dev and its workers), SIGKILL, as a crash. */
      async killWeb() {
        await web.stop('SIGKILL');
      },
      /** next dev again on the same port and dist dir, its routes compiled again as at start. */
      async restartWeb() {
        web = await startWeb();
        await warmUp(baseUrl, [`/conversations/${conversation.id}`], web);
      },
      /** A service token, minted as `pnpm estuary service-token` would (same secret and database). */
      async serviceToken(name: string, scopes: ServiceScope[]) {
        return (await new ServiceTokens(db, secret).mint(name, scopes)).token;
      },
      wsOutput: () => ws.output(),
      webOutput: () => web.output(),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export type Stack = Awaited<ReturnType<typeof startStack>>;
