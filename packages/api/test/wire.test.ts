import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import type { MessageBusEvent } from '../src/events';
import { prepareBatch, prepareEvent, wsEncoder } from '../src/live/wire';

const event = (seq: number, extra: Partial<MessageBusEvent['message']> = {}): MessageBusEvent => ({
  seq,
  type: 'message.created',
  message: {
    id: `00000000-0000-4000-8000-00000000000${seq}`,
    conversationId: '00000000-0000-4000-8000-0000000000aa',
    seq,
    senderId: '00000000-0000-4000-8000-0000000000bb',
    senderName: 'Ada "quotes" Okafor',
    clientId: '00000000-0000-4000-8000-0000000000cc',
    content: `hello ✓ \\n ${seq}`,
    replyToId: null,
    createdAt: new Date(1_700_000_000_000 + seq),
    editedAt: seq % 2 ? new Date(1_700_000_100_000) : null,
    deletedAt: null,
    kind: 'user',
    reactions: [],
    replyTo: null,
    attachments: [],
    ...extra,
  },
});

describe('pre-serialised payloads', () => {
  it('match what superjson itself produces, for one event and for a batch', () => {
    const e = event(3);
    expect(JSON.parse(prepareEvent(e).text)).toEqual(
      superjson.serialize({ id: '3', data: { type: e.type, message: e.message } }),
    );
    const batch = [event(4), event(5), event(6, { deletedAt: new Date(0), content: '' })];
    const text = prepareBatch(batch).text;
    expect(JSON.parse(text)).toEqual(
      superjson.serialize({
        id: '6',
        data: { events: batch.map((b) => ({ type: b.type, message: b.message })) },
      }),
    );
    // …and round-trip to Dates on the client side.
    const back = superjson.deserialize<{ data: { events: MessageBusEvent[] } }>(JSON.parse(text));
    expect(back.data.events[2]?.message.deletedAt).toEqual(new Date(0));
  });

  it('splice into a frame that is plain tRPC JSON', () => {
    const frame = wsEncoder.encode({
      id: 12,
      result: { type: 'data', id: '3', data: prepareEvent(event(3)) },
    });
    const parsed = JSON.parse(frame);
    expect(parsed).toMatchObject({ id: 12, result: { type: 'data', id: '3' } });
    expect(superjson.deserialize<{ id: string }>(parsed.result.data).id).toBe('3');
  });
});
