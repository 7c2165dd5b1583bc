import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Limits } from './domain/types';
import { middleware } from './trpc';

/** The limits an input schema may depend on; each server configures its own. */
export type InputLimits = Pick<Limits, 'maxContentLength' | 'maxPageSize'>;

/**
 * An input bounded by the server's configured limits, in a router that is built once for
 * every server. `schema` (built without limits) gives the procedure its types and its REST
 * document; `check`, used just before it, parses the raw input against the calling server's
 * `ctx.services.limits`, with the same BAD_REQUEST and zod issues a schema would give.
 *
 *     list: protectedProcedure.use(listInput.check).input(listInput.schema)
 */
export function limitedInput<S extends z.ZodType>(build: (limits?: InputLimits) => S) {
  // One schema per limits object: built at the first call of each server, then reused.
  const bounded = new WeakMap<InputLimits, S>();
  const check = middleware(async function isWithinLimits({ ctx, getRawInput, next }) {
    const { limits } = ctx.services;
    let schema = bounded.get(limits);
    if (!schema) {
      schema = build(limits);
      bounded.set(limits, schema);
    }
    const parsed = await schema.safeParseAsync(await getRawInput());
    if (!parsed.success) throw new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error });
    return next();
  });
  const schema = build();
  builders.set(schema, build);
  return { schema, check };
}

/** How each static schema of `limitedInput` is built with limits (for the REST document). */
const builders = new WeakMap<z.ZodType, (limits?: InputLimits) => z.ZodType>();

/**
 * `schema` as the server with `limits` checks it: the bounded copy when `schema` came from
 * `limitedInput`, else `schema` itself. The OpenAPI document shows these bounds.
 */
export function boundedInput(schema: z.ZodType, limits: InputLimits): z.ZodType {
  return builders.get(schema)?.(limits) ?? schema;
}

/** `schema` bounded by `max`, or unbounded when there is no limit yet (the static schema). */
export function atMost<S extends z.ZodString | z.ZodNumber>(schema: S, max: number | undefined): S {
  return max === undefined ? schema : (schema.max(max) as S);
}

/** A page's `limit`: 1 to `maxPageSize`, `fallback` when absent. */
export const pageLimit = (fallback: number, limits?: InputLimits) =>
  atMost(z.number().int().min(1), limits?.maxPageSize).default(fallback);
