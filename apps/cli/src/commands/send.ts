import { randomUUID } from 'node:crypto';
import { oneShot } from '../api';
import type { CliEnv } from '../env';
import { usageError } from '../errors';
import { messageLine } from '../format';
import { COMMON_HELP, conversationIdArg, parse } from '../options';
import { loadSession } from '../session';

export const sendHelp = `Usage: estuary send <conversationId> <text...>

Sends a message. Words after the id are joined with spaces; use "-" as the text to read
it from standard input. The send is idempotent (a fresh clientId per invocation).

${COMMON_HELP}`;

export async function send(argv: string[], env: CliEnv, out: (line: string) => void) {
  const { positionals, common, help } = parse('send', argv, {}, env);
  if (help) return out(sendHelp);
  const conversationId = conversationIdArg(positionals[0], 'send');
  const words = positionals.slice(1);
  const content = words.length === 1 && words[0] === '-' ? await readStdin() : words.join(' ');
  if (content.trim() === '') throw usageError('Missing <text>', 'send');
  const session = await loadSession(common.tokenFile);
  const message = await oneShot(common, session.token, 'Sending', (client) =>
    client.message.send.mutate({ conversationId, clientId: randomUUID(), content }),
  );
  out(common.json ? JSON.stringify(message) : `Sent ${messageLine(message)}`);
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}
