import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@estuary/db/embedded';
import { inherited } from './env';

export const SECRET = 'ws-test-secret-ws-test-secret-ws-test-secret!';
const appDir = fileURLToPath(new URL('..', import.meta.url));

export { freePort };

export interface WsNode {
  port: number;
  url: string;
  http: string;
  process: ChildProcess;
  /** Everything the process printed, for assertions on logs and for debugging. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts a real apps/ws process (from source, as `pnpm dev` does) and waits for /healthz. */
export async function startNode(
  env: Record<string, string | undefined>,
  options: { port?: number; command?: string[] } = {},
): Promise<WsNode> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, options.command ?? ['--import', 'tsx', 'src/main.ts'], {
    cwd: appDir,
    env: {
      ...inherited,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      AUTH_SECRET: SECRET,
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const node: WsNode = {
    port,
    url: `ws://127.0.0.1:${port}`,
    http: `http://127.0.0.1:${port}`,
    process: child,
    output: () => output,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`ws node exited early (${child.exitCode}):\n${output}`);
    const ok = await fetch(`${node.http}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return node;
    if (Date.now() > deadline) {
      await node.kill();
      throw new Error(`ws node did not become healthy:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
