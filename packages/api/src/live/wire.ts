import type { TRPCCombinedDataTransformer } from '@trpc/server';
import superjson from 'superjson';
import type { MessageBusEvent } from './topics';

/**
 * A tracked message event already in wire form. Every subscriber of a conversation on this
 * process receives the same event, so it is serialised once here instead of once per
 * subscriber: the transformer passes it through and `wsEncoder` splices the text into each
 * subscriber's frame. Anything else that meets it (JSON.stringify) still gets the right
 * superjson shape from `toJSON`, only slower.
 */
export class PreparedTracked {
  constructor(readonly text: string) {}
  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

const prepared = new WeakMap<MessageBusEvent, PreparedTracked>();

/** The `tracked(id, MessageEvent)` payload of `message.onEvent`, serialised once per event object. */
export function prepareEvent(event: MessageBusEvent): PreparedTracked {
  let value = prepared.get(event);
  if (!value) {
    const id = String(event.seq);
    value = new PreparedTracked(
      JSON.stringify(
        superjson.serialize({ id, data: { type: event.type, message: event.message } }),
      ),
    );
    prepared.set(event, value);
  }
  return value;
}

/** superjson, except that prepared payloads pass through untouched. */
export const transformer: TRPCCombinedDataTransformer = {
  input: superjson,
  output: {
    serialize(value: unknown) {
      if (
        value &&
        typeof value === 'object' &&
        (value as { data?: unknown }).data instanceof PreparedTracked
      ) {
        return (value as { data: PreparedTracked }).data;
      }
      return superjson.serialize(value);
    },
    deserialize: (value: unknown) => superjson.deserialize(value as never),
  },
};

interface WireMessage {
  id?: unknown;
  jsonrpc?: unknown;
  result?: { type?: unknown; id?: unknown; data?: unknown };
}

/**
 * The ws adapter's encoder: plain JSON, but a frame carrying a prepared payload is built by
 * concatenation around the pre-serialised text.
 */
export const wsEncoder = {
  encode(message: unknown): string {
    const m = message as WireMessage;
    const data = m?.result?.data;
    if (data instanceof PreparedTracked) {
      const rpc = m.jsonrpc === undefined ? '' : `"jsonrpc":${JSON.stringify(m.jsonrpc)},`;
      return `{"id":${JSON.stringify(m.id)},${rpc}"result":{"type":"data","id":${JSON.stringify(m.result?.id)},"data":${data.text}}}`;
    }
    return JSON.stringify(message);
  },
  decode(data: string | ArrayBuffer | Uint8Array): unknown {
    if (typeof data !== 'string') throw new Error('Binary frames are not supported');
    return JSON.parse(data);
  },
};
