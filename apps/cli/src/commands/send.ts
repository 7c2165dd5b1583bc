import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { oneShot } from '../api';
import type { CliEnv } from '../env';
import { usageError } from '../errors';
import { messageLine } from '../format';
import { COMMON_HELP, conversationIdArg, parse } from '../options';
import { loadSession } from '../session';
import { uploadFile } from '../upload';

export const sendHelp = `Usage: estuary send <conversationId> [text...] [--file PATH]...

Sends a message. Words after the id are joined with spaces; use "-" as the text to read
it from standard input. The send is idempotent (a fresh clientId per invocation).
--file PATH attaches a file (repeat for more, up to 10); the text may then be left out.

${COMMON_HELP}`;

export async function send(argv: string[], env: CliEnv, out: (line: string) => void) {
  const { positionals, values, common, help } = parse(
    'send',
    argv,
    { file: { type: 'string', multiple: true } },
    env,
  );
  if (help) return out(sendHelp);
  const conversationId = conversationIdArg(positionals[0], 'send');
  const words = positionals.slice(1);
  const content = words.length === 1 && words[0] === '-' ? await readStdin() : words.join(' ');
  const files = ((values as { file?: string[] }).file ?? []).map((f) => resolve(env.cwd, f));
  if (content.trim() === '' && files.length === 0) throw usageError('Missing <text>', 'send');
  if (files.length > 10) throw usageError('At most 10 files per message', 'send');
  const session = await loadSession(common.tokenFile);
  const message = await oneShot(common, session.token, 'Sending', async (client) => {
    const attachmentIds: string[] = [];
    for (const file of files) {
      attachmentIds.push(await uploadFile(client, common.httpUrl, conversationId, file));
    }
    return client.message.send.mutate({
      conversationId,
      clientId: randomUUID(),
      content,
      ...(attachmentIds.length > 0 ? { attachmentIds } : {}),
    });
  });
  out(common.json ? JSON.stringify(message) : `Sent ${messageLine(message)}`);
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}
