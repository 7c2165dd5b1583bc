import superjson, { type SuperJSONResult } from 'superjson';

/** What crosses process boundaries: who sent it, when, to which topic, and the payload. */
export interface Envelope {
  /** Sending node id. */
  n: string;
  /** Topic. */
  t: string;
  /** Publish time, ms since epoch, for the lag metric. */
  s: number;
  /** Payload. superjson keeps Dates as Dates. */
  d: unknown;
}

export function encodeEnvelope(envelope: Envelope): string {
  return superjson.stringify(envelope);
}

/** Accepts the parsed JSON of an encoded envelope; returns null for anything else. */
export function decodeEnvelope(value: unknown): Envelope | null {
  try {
    const envelope = superjson.deserialize<Envelope>(value as SuperJSONResult);
    return envelope && typeof envelope.t === 'string' && typeof envelope.n === 'string'
      ? envelope
      : null;
  } catch {
    return null;
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Batches calls made close together into one `flush`, one batch at a time, in order. */
export function createBatcher<T>(flush: (items: T[]) => Promise<void>, windowMs = 0) {
  // setImmediate gathers one tick; a window also gathers what the next few ticks bring.
  const wait = (fn: () => void) => (windowMs > 0 ? setTimeout(fn, windowMs) : setImmediate(fn));
  let tail: Promise<void> = Promise.resolve();
  let open: { items: T[]; done: Promise<void> } | null = null;
  return {
    push(item: T): Promise<void> {
      if (!open) {
        const batch: { items: T[]; done: Promise<void> } = { items: [], done: Promise.resolve() };
        batch.done = tail.then(
          () =>
            new Promise<void>((resolve, reject) =>
              wait(() => {
                if (open === batch) open = null;
                flush(batch.items).then(resolve, reject);
              }),
            ),
        );
        tail = batch.done.catch(() => {});
        open = batch;
      }
      open.items.push(item);
      return open.done;
    },
    /** Resolves once everything pushed so far has been flushed (or failed). */
    drain: () => tail,
  };
}
