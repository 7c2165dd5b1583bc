import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { childEnv } from '../env';
import { benchRoot, tsxImport } from '../targets';
import type {
  Command,
  ConnectResult,
  PrimeResult,
  Protocol,
  Reply,
  RoomSpec,
  WindowResult,
} from './messages';

/** One load generator process, driven by request/reply over IPC, every call with a deadline. */
class Worker {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  readonly child: ChildProcess;
  /** Resolves once the process listens; it starts in parallel with the target server. */
  private readonly ready: Promise<void>;
  private markReady: () => void = () => {};

  constructor() {
    this.child = fork(join(benchRoot, 'src', 'loadgen', 'main.ts'), [], {
      execArgv: ['--import', tsxImport],
      env: childEnv(),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
    this.child.on('message', (reply: Reply | { ready: true }) => {
      if ('ready' in reply) return this.markReady();
      const entry = this.waiting.get(reply.id);
      if (!entry) return;
      this.waiting.delete(reply.id);
      if (reply.ok) entry.resolve(reply.result);
      else entry.reject(new Error(`loadgen: ${reply.error}`));
    });
    this.child.on('exit', (code) => {
      for (const entry of this.waiting.values())
        entry.reject(new Error(`loadgen exited (${code})`));
      this.waiting.clear();
    });
  }

  async call<T>(command: Command, timeoutMs: number): Promise<T> {
    await Promise.race([this.ready, new Promise((r) => setTimeout(r, 60_000))]);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`loadgen ${command.cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ ...command, id });
    });
  }
}

/**
 * The load generators of one target. Rooms are dealt whole to processes, so a message and
 * all its deliveries are counted by one process.
 */
export class LoadGen {
  private readonly workers: Worker[];
  private dealt = 0;

  constructor(processes: number) {
    this.workers = Array.from({ length: Math.max(1, processes) }, () => new Worker());
  }

  get pids(): number[] {
    return this.workers.map((w) => w.child.pid ?? -1);
  }

  async connect(
    protocol: Protocol,
    url: string,
    rooms: RoomSpec[],
    concurrency: number,
  ): Promise<ConnectResult> {
    const shares: RoomSpec[][] = this.workers.map(() => []);
    for (const room of rooms) shares[this.dealt++ % shares.length]?.push(room);
    const perWorker = Math.max(1, Math.floor(concurrency / this.workers.length));
    const results = await Promise.all(
      this.workers.map((w, i) =>
        w.call<ConnectResult>(
          { cmd: 'connect', protocol, url, rooms: shares[i] ?? [], concurrency: perWorker },
          300_000,
        ),
      ),
    );
    return {
      connected: results.reduce((n, r) => n + r.connected, 0),
      failed: results.reduce((n, r) => n + r.failed, 0),
      errors: results.flatMap((r) => r.errors).slice(0, 5),
      ms: Math.max(...results.map((r) => r.ms)),
    };
  }

  async prime(timeoutMs: number): Promise<PrimeResult> {
    const results = await Promise.all(
      this.workers.map((w) => w.call<PrimeResult>({ cmd: 'prime', timeoutMs }, timeoutMs + 10_000)),
    );
    return {
      primed: results.reduce((n, r) => n + r.primed, 0),
      unprimed: results.reduce((n, r) => n + r.unprimed, 0),
      ms: Math.max(...results.map((r) => r.ms)),
    };
  }

  async broadcast(command: Command, timeoutMs = 10_000): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call(command, timeoutMs)));
  }

  stop(drainMs: number): Promise<WindowResult[]> {
    return Promise.all(
      this.workers.map((w) => w.call<WindowResult>({ cmd: 'stop', drainMs }, drainMs + 30_000)),
    );
  }

  async close(): Promise<void> {
    await this.broadcast({ cmd: 'close' }, 5_000).catch(() => {});
    for (const w of this.workers) {
      const exited = new Promise((r) => w.child.once('exit', r));
      const timer = setTimeout(() => w.child.kill('SIGKILL'), 3_000);
      if (w.child.exitCode === null) await exited;
      clearTimeout(timer);
    }
  }
}
