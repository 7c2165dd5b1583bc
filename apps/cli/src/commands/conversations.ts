import { oneShot } from '../api';
import type { CliEnv } from '../env';
import { usageError } from '../errors';
import { conversationLine } from '../format';
import { COMMON_HELP, parse } from '../options';
import { loadSession } from '../session';

export const conversationsHelp = `Usage: estuary conversations [--limit <n>] [--all]

Lists your conversations, most recent activity first: id, kind, name, unread count and
the last message.

  --limit <n>   page size (1-100, default 30)
  --all         follow the cursor through every page

${COMMON_HELP}`;

export async function conversations(argv: string[], env: CliEnv, out: (line: string) => void) {
  const { values, positionals, common, help } = parse(
    'conversations',
    argv,
    { limit: { type: 'string' }, all: { type: 'boolean' } },
    env,
  );
  if (help) return out(conversationsHelp);
  if (positionals.length > 0) {
    throw usageError(`Unexpected argument ${positionals[0]}`, 'conversations');
  }
  const limit = Number(values.limit ?? 30);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw usageError('--limit must be an integer from 1 to 100', 'conversations');
  }
  const session = await loadSession(common.tokenFile);
  const items = await oneShot(common, session.token, 'Listing conversations', async (client) => {
    const all = [];
    let cursor: string | null = null;
    // Bounded: at most 100 pages, even if a server kept handing out cursors.
    for (let page = 0; page < 100; page++) {
      const result = await client.conversation.list.query({ cursor, limit });
      all.push(...result.items);
      cursor = result.nextCursor;
      if (!values.all || !cursor) break;
    }
    return all;
  });
  if (common.json) return out(JSON.stringify(items));
  if (items.length === 0) return out('No conversations yet.');
  for (const item of items) out(conversationLine(item));
}
