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
