import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { highlightsOf, parseQuery, searchMessages } from '../src/domain/search';
import { book, bookedPair, codeOf, type Member, type Stack, startStack } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ limits: { sendRatePerSecond: 10_000, sendBurst: 10_000 } });
});
afterAll(() => stack.close());

const send = (m: Member, conversationId: string, content: string) =>
  m.client.message.send.mutate({ conversationId, clientId: randomUUID(), content });

const contents = (result: { items: { message: { content: string } }[] }) =>
  result.items.map((i) => i.message.content);

describe('parseQuery and highlightsOf', () => {
  it('keeps only words, prefixes the last, and places highlights by character offset', () => {
    expect(parseQuery("breath & in:* | 'out'")?.tsquery).toBe("'breath' & 'in' & 'out':*");
    expect(parseQuery('!!! ***')).toBeNull();
    const content = 'Café <b>crème</b>, CAFÉ: breathing café';
    expect(highlightsOf(content, ['cafe', 'breath'])).toEqual([
      { start: 0, end: 4 },
      { start: 19, end: 23 },
      { start: 25, end: 34 },
      { start: 35, end: 39 },
    ]);
    expect(content.slice(25, 34)).toBe('breathing');
  });
});

describe('message.search', () => {
  it('matches whatever the accents or case, the last word as a prefix, with highlights', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    await send(client, conversation.id, 'Let us try the Breathing exercise at the café');
    await send(client, conversation.id, 'breath work tomorrow');
    await send(client, conversation.id, 'nothing to see here');
    const found = await practitioner.client.message.search.query({ query: 'CAFE breath' });
    expect(contents(found)).toEqual(['Let us try the Breathing exercise at the café']);
    const hit = found.items[0];
    expect(hit?.conversationId).toBe(conversation.id);
    expect(hit?.conversationTitle).toBe(client.user.name);
    expect(hit?.highlights.map((h) => hit.message.content.slice(h.start, h.end))).toEqual([
      'Breathing',
      'café',
    ]);
    const prefix = await practitioner.client.message.search.query({ query: 'breath' });
    expect(contents(prefix).sort()).toEqual([
      'Let us try the Breathing exercise at the café',
      'breath work tomorrow',
    ]);
    // Not a prefix anywhere but the last word.
    expect(
      contents(await client.client.message.search.query({ query: 'breath exercise' })),
    ).toEqual([]);
    expect((await client.client.message.search.query({ query: '***' })).items).toEqual([]);
  });

  it('finds only messages of my conversations, in one conversation when asked', async () => {
    const mine = await bookedPair(stack);
    const theirs = await bookedPair(stack);
    const other = await stack.signUp('practitioner', 'Other Practitioner');
    await book(other, mine.client);
    const second = await mine.client.client.conversation.direct.mutate({ userId: other.user.id });
    const word = `zebra${randomUUID().slice(0, 6)}`;
    await send(mine.client, mine.conversation.id, `${word} in the booking`);
    await send(mine.client, second.id, `${word} in the direct chat`);
    await send(theirs.client, theirs.conversation.id, `${word} of a stranger`);
    const everywhere = await mine.client.client.message.search.query({ query: word });
    expect(contents(everywhere).sort()).toEqual([
      `${word} in the booking`,
      `${word} in the direct chat`,
    ]);
    const one = await mine.client.client.message.search.query({
      query: word,
      conversationId: second.id,
    });
    expect(contents(one)).toEqual([`${word} in the direct chat`]);
    expect(
      await codeOf(
        mine.client.client.message.search.query({
          query: word,
          conversationId: theirs.conversation.id,
        }),
      ),
    ).toBe('FORBIDDEN');
    expect(await codeOf(mine.client.client.message.search.query({ query: '' }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(mine.client.client.message.search.query({ query: 'x'.repeat(201) }))).toBe(
      'BAD_REQUEST',
    );
    expect(
      await codeOf(mine.client.client.message.search.query({ query: word, cursor: 'bad' })),
    ).toBe('BAD_REQUEST');
  });

  it('reflects edits and deletes at once', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const m = await send(client, conversation.id, 'meet at the harbour');
    const search = (query: string) =>
      practitioner.client.message.search.query({ query, conversationId: conversation.id });
    expect(contents(await search('harbour'))).toEqual(['meet at the harbour']);
    await client.client.message.edit.mutate({ messageId: m.id, content: 'meet at the station' });
    expect(contents(await search('harbour'))).toEqual([]);
    expect(contents(await search('station'))).toEqual(['meet at the station']);
    await client.client.message.delete.mutate({ messageId: m.id });
    expect(contents(await search('station'))).toEqual([]);
    expect(contents(await search('meet'))).toEqual([]);
  });

  it('puts the best match first, then the newest, and pages without repeats', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const word = `otter${randomUUID().slice(0, 6)}`;
    for (let i = 0; i < 7; i++) await send(client, conversation.id, `${i} one ${word}`);
    await send(client, conversation.id, `${word} ${word} ${word} thrice`);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const result: Awaited<ReturnType<typeof practitioner.client.message.search.query>> =
        await practitioner.client.message.search.query({ query: word, limit: 3, cursor });
      seen.push(...contents(result));
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    expect(seen[0]).toContain('thrice');
    expect(seen.slice(1)).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `${i} one ${word}`));
  });

  it('answers the same whichever plan runs (reading the scope, or the GIN index)', async () => {
    const { practitioner, client, conversation } = await bookedPair(stack);
    const stranger = await bookedPair(stack);
    const word = `Ünïcorn${randomUUID().slice(0, 4)}`;
    await send(client, conversation.id, `a ${word} here`);
    await send(client, conversation.id, `two ${word} ${word}`);
    await send(stranger.client, stranger.conversation.id, `${word} elsewhere`);
    const gone = await send(client, conversation.id, `${word} deleted`);
    await client.client.message.delete.mutate({ messageId: gone.id });
    const query = word.slice(0, 5).toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
    const run = (scanLimit: number) =>
      searchMessages(stack.services.deps, practitioner.user.id, { query, limit: 10, scanLimit });
    const [scanned, indexed] = [await run(Number.POSITIVE_INFINITY), await run(-1)];
    expect(contents(scanned)).toEqual([`two ${word} ${word}`, `a ${word} here`]);
    expect(contents(indexed)).toEqual(contents(scanned));
    expect(indexed.items.map((i) => i.highlights)).toEqual(scanned.items.map((i) => i.highlights));
  });
});
