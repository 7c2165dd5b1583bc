import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { CliEnv } from './env';
import { usageError } from './errors';
import { defaultTokenFile } from './session';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Flags every command takes. */
export const commonOptions = {
  help: { type: 'boolean', short: 'h' },
  'http-url': { type: 'string' },
  'ws-url': { type: 'string' },
  'token-file': { type: 'string' },
  transport: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
} satisfies OptionSpec;

export const COMMON_HELP = `Common options:
  --http-url <url>     apps/web tRPC endpoint   (env ESTUARY_HTTP_URL, default http://localhost:3000/api/trpc)
  --ws-url <url>       apps/ws WebSocket server (env ESTUARY_WS_URL, default ws://localhost:3001)
  --token-file <path>  token file (default $XDG_CONFIG_HOME/estuary/token.json); may hold a bare token
  --transport <t>      http (default): queries and mutations over HTTP; ws: everything over the socket
  --timeout <seconds>  give up on a one-shot call after this long (default 15)
  --json               machine-readable output
  -h, --help           this help`;

export interface Common {
  httpUrl: string;
  wsUrl: string;
  tokenFile: string;
  transport: 'http' | 'ws';
  timeoutMs: number;
  json: boolean;
}

/** The URLs the current command uses, so errors name the ones actually tried. */
export const lastUrls = { httpUrl: '', wsUrl: '' };

/** Parses argv for one command; unknown flags and wrong arity are usage errors. */
export function parse<O extends OptionSpec>(
  command: string,
  argv: string[],
  options: O,
  env: CliEnv,
) {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...commonOptions, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usageError((error as Error).message, command);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const transport = (v.transport as string | undefined) ?? 'http';
  if (transport !== 'http' && transport !== 'ws') {
    throw usageError(`--transport must be http or ws, not ${JSON.stringify(transport)}`, command);
  }
  const timeout = Number(v.timeout ?? 15);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw usageError('--timeout must be a positive number of seconds', command);
  }
  const common: Common = {
    httpUrl: checkUrl(
      (v['http-url'] as string | undefined) ?? env.httpUrl,
      ['http:', 'https:'],
      command,
    ),
    wsUrl: checkUrl((v['ws-url'] as string | undefined) ?? env.wsUrl, ['ws:', 'wss:'], command),
    tokenFile: v['token-file']
      ? resolve(env.cwd, v['token-file'] as string)
      : defaultTokenFile(env.configDir),
    transport,
    timeoutMs: timeout * 1000,
    json: v.json === true,
  };
  lastUrls.httpUrl = common.httpUrl;
  lastUrls.wsUrl = common.wsUrl;
  return { values: v, positionals: parsed.positionals, common, help: v.help === true };
}

function checkUrl(value: string, protocols: string[], command: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`Not a URL: ${JSON.stringify(value)}`, command);
  }
  if (!protocols.includes(url.protocol)) {
    throw usageError(`${value} should start with ${protocols.join(' or ')}//`, command);
  }
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function conversationIdArg(value: string | undefined, command: string): string {
  if (!value) throw usageError('Missing <conversationId>', command);
  if (!UUID.test(value)) {
    throw usageError(`<conversationId> must be a UUID, not ${JSON.stringify(value)}`, command);
  }
  return value;
}
