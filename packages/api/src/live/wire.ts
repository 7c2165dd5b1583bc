import type { TRPCCombinedDataTransformer } from '@trpc/server';
import superjson from 'superjson';
import type { MessageBusEvent } from '../events';

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

/** One event in superjson form: its JSON text and its type annotations (paths relative to it). */
interface Fragment {
  json: string;
  meta: [path: string, annotation: unknown][];
}

const fragments = new WeakMap<MessageBusEvent, Fragment>();
const single = new WeakMap<MessageBusEvent, PreparedTracked>();

/** The event's superjson form, computed once per event object on this process. */
function fragmentOf(event: MessageBusEvent): Fragment {
  let fragment = fragments.get(event);
  if (!fragment) {
    const { json, meta } = superjson.serialize({ type: event.type, message: event.message });
    fragment = { json: JSON.stringify(json), meta: Object.entries(meta?.values ?? {}) };
    fragments.set(event, fragment);
  }
  return fragment;
}

/**
 * The superjson form of `{ id, data }`, assembled from event fragments: superjson puts the
 * data in `json` and a Date's path in `meta.values`, so nesting a fragment only prefixes
 * its paths. (Output identical to superjson.serialize; a test holds it to that.)
 */
function assemble(id: string, dataJson: string, meta: string[]): PreparedTracked {
  const values = meta.length > 0 ? `,"meta":{"values":{${meta.join(',')}},"v":1}` : '';
  return new PreparedTracked(`{"json":{"id":${JSON.stringify(id)},"data":${dataJson}}${values}}`);
}

const metaEntries = (prefix: string, fragment: Fragment) =>
  fragment.meta.map(
    ([path, annotation]) => `${JSON.stringify(`${prefix}${path}`)}:${JSON.stringify(annotation)}`,
  );

/** The `tracked(id, MessageEvent)` payload of `message.onEvent`, serialised once per event. */
export function prepareEvent(event: MessageBusEvent): PreparedTracked {
  let value = single.get(event);
  if (!value) {
    const fragment = fragmentOf(event);
    value = assemble(String(event.seq), fragment.json, metaEntries('data.', fragment));
    single.set(event, value);
  }
  return value;
}

/**
 * The `tracked(lastId, { events })` payload of `message.onEvents`: several events in one
 * yield and one frame, each still serialised only once per process.
 */
export function prepareBatch(events: MessageBusEvent[]): PreparedTracked {
  const last = events[events.length - 1];
  if (!last) throw new Error('empty batch');
  const parts: string[] = [];
  const meta: string[] = [];
  events.forEach((event, i) => {
    const fragment = fragmentOf(event);
    parts.push(fragment.json);
    meta.push(...metaEntries(`data.events.${i}.`, fragment));
  });
  return assemble(String(last.seq), `{"events":[${parts.join(',')}]}`, meta);
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
