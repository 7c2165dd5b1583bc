import { PreparedTracked, wsEncoder } from '@estuary/api';
import {
  type AnyTRPCRouter,
  getTRPCErrorShape,
  isTrackedEnvelope,
  type TRPCError,
  transformTRPCResponse,
} from '@trpc/server';

type Config = AnyTRPCRouter['_def']['_config'];
export type RequestId = string | number | null;
export type CallType = 'query' | 'mutation' | 'subscription' | 'unknown';

/**
 * The text of a frame, byte for byte as the stock adapter writes it: the response through the
 * router's transformer, then the same encoder.
 */
export function responseFrame(config: Config, message: object): string {
  return wsEncoder.encode(transformTRPCResponse(config, message as never));
}

export interface ErrorContext {
  id: RequestId;
  jsonrpc?: '2.0' | undefined;
  type: CallType;
  path: string | undefined;
  input: unknown;
  ctx: unknown;
}

/** An error frame, its shape from the router's error formatter. */
export function errorFrame(config: Config, error: TRPCError, at: ErrorContext): string {
  const shape = getTRPCErrorShape({
    config,
    error,
    type: at.type,
    path: at.path,
    input: at.input,
    ctx: at.ctx as never,
  });
  return responseFrame(config, { id: at.id, jsonrpc: at.jsonrpc, error: shape });
}

/** The start of every data frame of one subscription, computed once when it starts. */
export function dataPrefix(id: RequestId, jsonrpc: string | undefined): string {
  const rpc = jsonrpc === undefined ? '' : `"jsonrpc":${JSON.stringify(jsonrpc)},`;
  return `{"id":${JSON.stringify(id)},${rpc}"result":{"type":"data"`;
}

const field = (name: string, value: unknown) => {
  const text = JSON.stringify(value);
  return text === undefined ? '' : `,"${name}":${text}`;
};

/**
 * One delivery: the prefix plus the value's text. A prepared event (serialised once per
 * process) is spliced in as is; anything else goes through the transformer. Key order follows
 * what the stock adapter (with our encoder) writes, so frames are identical.
 */
export function dataFrame(prefix: string, value: unknown, serialize: (v: unknown) => unknown) {
  if (!isTrackedEnvelope(value)) return `${prefix}${field('data', serialize(value))}}}`;
  const [id, data] = value;
  if (data instanceof PreparedTracked)
    return `${prefix},"id":${JSON.stringify(id)},"data":${data.text}}}`;
  return `${prefix}${field('data', serialize({ id, data }))}${field('id', id)}}}`;
}

/** `{ id, result: { type } }` for started and stopped. */
export function stateFrame(
  id: RequestId,
  jsonrpc: string | undefined,
  type: 'started' | 'stopped',
) {
  const rpc = jsonrpc === undefined ? '' : `"jsonrpc":${JSON.stringify(jsonrpc)},`;
  return `{"id":${JSON.stringify(id)},${rpc}"result":{"type":"${type}"}}`;
}

export const RECONNECT_FRAME = wsEncoder.encode({ id: null, method: 'reconnect' });
