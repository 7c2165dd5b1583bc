import { pathToFileURL } from 'node:url';
import { conversations, conversationsHelp } from './commands/conversations';
import { exampleService, exampleServiceHelp } from './commands/example-service';
import { login, loginHelp, logout, logoutHelp } from './commands/login';
import { send, sendHelp } from './commands/send';
import { serviceToken, serviceTokenHelp } from './commands/service-token';
import { tail, tailHelp } from './commands/tail';
import { loadEnv } from './env';
import { explain, usageError } from './errors';
import { COMMON_HELP, lastUrls } from './options';

const HELP = `estuary — the Estuary Chat ops CLI

Usage: estuary <command> [options]

Commands:
  login                          sign in (email + password) and store the token
  logout                         forget the stored token
  conversations                  list your conversations
  send <conversationId> <text>   send a message
  tail <conversationId>          follow a conversation live (Ctrl-C to stop)
  service-token                  mint, list or revoke service tokens (for internal services)
  example-service                the platform's flow through @estuary/client with a service token

Run \`estuary <command> --help\` for a command's options.

${COMMON_HELP}`;

type Out = (line: string) => void;
type Command = (
  argv: string[],
  env: ReturnType<typeof loadEnv>,
  out: Out,
  warn: Out,
) => Promise<void>;

const commands: Record<string, { run: Command; help: string }> = {
  login: { run: login, help: loginHelp },
  logout: { run: logout, help: logoutHelp },
  conversations: { run: conversations, help: conversationsHelp },
  send: { run: send, help: sendHelp },
  tail: { run: tail, help: tailHelp },
  'service-token': { run: serviceToken, help: serviceTokenHelp },
  'example-service': { run: exampleService, help: exampleServiceHelp },
};

/** Runs one command line; returns the exit code. Exported for tests. */
export async function run(argv: string[], out: Out, warn: Out): Promise<number> {
  const env = loadEnv();
  Object.assign(lastUrls, { httpUrl: env.httpUrl, wsUrl: env.wsUrl });
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(name === 'help' && rest[0] && commands[rest[0]] ? (commands[rest[0]]?.help ?? HELP) : HELP);
    return 0;
  }
  const command = commands[name];
  try {
    if (!command) throw usageError(`Unknown command ${JSON.stringify(name)}`);
    await command.run(rest, env, out, warn);
    return 0;
  } catch (error) {
    const cli = explain(error, lastUrls);
    warn(`estuary: ${cli.message}`);
    return cli.exitCode;
  }
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const code = await run(
    // `pnpm estuary -- …` passes the `--` through.
    process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--')),
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  );
  // Sockets and keep-alive timers of the tRPC client must not hold the process open.
  process.stdout.write('', () => process.exit(code));
}
