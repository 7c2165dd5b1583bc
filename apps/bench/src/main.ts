import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FULL, type Mode, QUICK } from './config';
import { type BenchDb, newSecret, seedLayout, startDatabase } from './db';
import { makeLayout, roundToBlocks } from './layout';
import { LoadGen } from './loadgen/client';
import { machine, openFileLimit } from './proc';
import { Progress } from './progress';
import { chart } from './report/chart';
import { formatHeap } from './report/heap';
import { formatTop } from './report/profile-top';
import { assemble } from './report/results';
import { table, targetNames } from './report/table';
import { runTarget, type TargetRun, unitsPerTarget } from './runner';
import {
  benchRoot,
  buildWs,
  type RunningServer,
  startServer,
  TARGETS,
  type TargetName,
  USES_DATABASE,
} from './targets';

const HELP = `Usage: pnpm bench [--quick] [options]

Starts embedded Postgres, the real apps/ws and four baselines (bare ws, Socket.IO, stock
tRPC, Socket.IO + one INSERT per message), steps connections up, finds each one's saturation rate and its latency at half of it,
then prints a table and writes results/latest.json and results/latest.svg.

  --quick                 small and short (200 and 1,000 connections; under 3 minutes)
  --targets a,b           subset of rawWs,socketIo,trpcBare,socketIoPg,fullStack
  --connections 200,1000  connection steps (rounded to blocks of 20)
  --window-ms <ms>        measured window per point (warm-up and drain scale with it)
  --ramp-steps <n>        at most n saturation windows per target (plus one refining window)
  --loadgen-procs <n>     load generator processes (default 1: the other core is the server's)
  --profile               CPU-profile every server (--cpu-prof) into results/ and print the full
                          stack's top self-time functions (named by source file)
  --heap                  heap-snapshot every server idle and at the last step; print the JS heap
                          per connection by object kind (snapshots stay in results/; snapshots
                          inflate RSS, so RSS per connection is not comparable in such a run)
  --ws-env KEY=VALUE      extra environment for apps/ws, repeatable (e.g. DATABASE_POOL_SIZE=4)
  --from-source           run apps/ws through tsx instead of building it with tsup
  --no-build              use the existing apps/ws/dist/main.js
  --out <dir>             where results go (default apps/bench/results)
  -h, --help`;

const { values } = parseArgs({
  // `pnpm bench -- --quick` passes the `--` through; accept both spellings.
  args: process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--')),
  options: {
    quick: { type: 'boolean' },
    targets: { type: 'string' },
    connections: { type: 'string' },
    'window-ms': { type: 'string' },
    'loadgen-procs': { type: 'string' },
    'ramp-steps': { type: 'string' },
    'ws-env': { type: 'string', multiple: true },
    profile: { type: 'boolean' },
    heap: { type: 'boolean' },
    'from-source': { type: 'boolean' },
    'no-build': { type: 'boolean' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const mode: Mode = structuredClone(values.quick ? QUICK : FULL);
if (values.connections) {
  mode.name = 'custom';
  mode.steps = values.connections.split(',').map((n) => roundToBlocks(Number(n)));
}
if (values['window-ms']) {
  const ms = Number(values['window-ms']);
  mode.window = { warmupMs: Math.round(ms / 4), windowMs: ms, drainMs: ms };
  mode.name = 'custom';
}
if (values['ramp-steps']) {
  mode.ramp.maxSteps = Math.max(1, Number(values['ramp-steps']));
  mode.name = 'custom';
}
const targets: TargetName[] = values.targets ? targetNames(values.targets.split(',')) : TARGETS;
const outDir = values.out ?? join(benchRoot, 'results');
const profileDir = values.profile ? outDir : null;
const fromSource = Boolean(values['from-source']);
mkdirSync(outDir, { recursive: true });
const logFile = join(outDir, 'servers.log');
writeFileSync(logFile, '');

const progress = new Progress(targets.length * unitsPerTarget(mode) + 1);
const started = Date.now();
let db: BenchDb | null = null;
let server: RunningServer | null = null;

// Bounded whatever happens: a stuck run is killed well after its expected length.
const hardLimitMs = (mode.name === 'quick' ? 8 : 60) * 60_000;
const watchdog = setTimeout(() => {
  progress.note(`bench: hard time limit (${hardLimitMs / 60_000} min) reached; stopping`);
  void cleanup().finally(() => process.exit(1));
}, hardLimitMs);
watchdog.unref();

async function cleanup() {
  await server?.stop().catch(() => {});
  await db?.stop().catch(() => {});
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    progress.note(`bench: ${signal}, stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

const notes: string[] = [];
const layout = makeLayout(Math.max(...mode.steps));
// Children inherit this limit; the server and the load generator each hold one descriptor
// per connection. Raise it (ulimit -n) rather than let connects fail halfway through.
if (Math.max(...mode.steps) + 1_000 > openFileLimit()) {
  notes.push(`open-file limit ${openFileLimit()} is below the largest step; raise ulimit -n`);
  progress.note(
    `bench: ulimit -n is ${openFileLimit()}; ${Math.max(...mode.steps)} connections need more`,
  );
}
const runs: Partial<Record<TargetName, TargetRun>> = {};
try {
  let tokens: string[] | null = null;
  let secret = '';
  if (targets.some((t) => USES_DATABASE.has(t))) {
    progress.status(
      fromSource || values['no-build']
        ? 'starting Postgres'
        : 'starting Postgres, building apps/ws',
    );
    const build =
      fromSource || values['no-build'] || !targets.includes('fullStack')
        ? Promise.resolve()
        : buildWs(logFile);
    db = await startDatabase((line) => progress.note(line));
    secret = newSecret();
    tokens = await seedLayout(db.url, layout, secret);
    await build;
  }
  progress.advance();
  for (const name of targets) {
    progress.status(`${name}: starting`);
    const loadgen = new LoadGen(Number(values['loadgen-procs'] ?? 1));
    server = await startServer(name, {
      profileDir,
      heapDir: values.heap ? outDir : null,
      logFile,
      databaseUrl: db?.url,
      authSecret: secret,
      fromSource,
      wsEnv: Object.fromEntries(
        (values['ws-env'] ?? []).map((kv) => [
          kv.slice(0, kv.indexOf('=')),
          kv.slice(kv.indexOf('=') + 1),
        ]),
      ),
    });
    const run = await runTarget(server, {
      mode,
      layout,
      tokens: name === 'fullStack' ? tokens : null,
      db: USES_DATABASE.has(name) ? db : null,
      heapSnapshots: Boolean(values.heap),
      loadgen,
      progress,
    });
    runs[name] = run;
    await server.stop();
    server = null;
    progress.note(
      `${name}: ${run.connectionsHeld} connections, saturation ${run.saturation.deliveriesPerSec} deliveries/s (${run.saturation.stoppedBecause}), p99 ${run.headline.latencyMs.p99} ms at half${run.errors.length ? `; ${run.errors.length} problem(s): ${run.errors[0]?.split('\n')[0]}` : ''}`,
    );
  }
} finally {
  await cleanup();
  progress.finish();
}

notes.push(
  'Every target runs alone with its server on one core and the load generator on the other.',
);
if (Object.values(runs).some((r) => r?.saturation.loadgenBound)) {
  notes.push(
    'A saturation marked loadgenBound is the load generator’s ceiling: the server may go higher.',
  );
}
const results = assemble(runs, mode, machine(), notes);
writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(outDir, 'latest.svg'), chart(results));
console.log(table(results));
console.log(
  `\nwrote ${join(outDir, 'latest.json')} and latest.svg in ${Math.round((Date.now() - started) / 1000)} s`,
);
for (const name of targets) {
  const heap = runs[name]?.heap;
  if (heap) console.log(`\n${formatHeap(name, heap)}`);
}
if (profileDir) {
  const fresh = readdirSync(profileDir)
    .filter((f) => f.endsWith('.cpuprofile') && statSync(join(profileDir, f)).mtimeMs >= started)
    .sort();
  for (const file of fresh.filter((f) => f.startsWith('fullStack')))
    console.log(`\n${formatTop(join(profileDir, file), 20)}`);
  console.log(`\nprofiles: ${fresh.map((f) => join(profileDir, f)).join(', ')}`);
}
process.exit(Object.keys(runs).length === targets.length ? 0 : 1);
