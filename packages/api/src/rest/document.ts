import type { AnyProcedure, AnyRouter } from '@trpc/server';
import { generateOpenApiDocument, type OpenApiRouter } from 'trpc-to-openapi';
import type { ZodType } from 'zod';
import { boundedInput, type InputLimits } from '../input-limits';
import { type RestRoute, restRoutes } from './routes';

/**
 * The router as trpc-to-openapi reads it: the same procedures (their inputs are what the
 * document shows), each with its route and its JSON output added to a copy of its
 * definition. Nothing here runs: calls go to the router itself (./handler), so REST takes no
 * path the typed clients do not.
 */
export function describedRouter(router: AnyRouter, limits?: InputLimits): OpenApiRouter {
  const procedures: Record<string, { _def: unknown }> = {};
  for (const [path, procedure] of Object.entries(
    router._def.procedures as Record<string, AnyProcedure>,
  )) {
    const route: RestRoute | undefined = restRoutes[path];
    if (!route) continue;
    procedures[path] = {
      _def: {
        ...procedure._def,
        // The server's own bounds (maxLength, maximum), not the unbounded static schema.
        inputs: limits
          ? (procedure._def.inputs as ZodType[]).map((input) => boundedInput(input, limits))
          : procedure._def.inputs,
        output: route.output,
        meta: {
          ...(procedure._def.meta as object | undefined),
          openapi: {
            method: route.method,
            path: route.path,
            summary: route.summary,
            tags: [path.split('.')[0]],
            protect: route.protect ?? true,
            operationId: path,
          },
        },
      },
    };
  }
  return { ...router, _def: { ...router._def, procedures } } as unknown as OpenApiRouter;
}

export interface DocumentOptions {
  /** Where REST is served, e.g. `http://localhost:3000/api/v1` or `/api/v1`. */
  baseUrl: string;
  /** The serving process's limits (`services.limits`), shown as the inputs' bounds. */
  limits?: InputLimits;
}

/** The OpenAPI 3.1 document of the REST door, generated from the router. */
export function openApiDocument(router: AnyRouter, options: DocumentOptions) {
  const document = generateOpenApiDocument(describedRouter(router, options.limits), {
    title: 'Estuary Chat REST API',
    version: '1.0.0',
    description:
      'The tRPC router of Estuary Chat over plain HTTP and JSON, for services that do not use ' +
      '`@estuary/client`. Same procedures, auth, limits and errors (with their tRPC `code` and ' +
      'zod `issues`). Times are ISO 8601 strings. Live events are WebSocket-only.',
    baseUrl: options.baseUrl,
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
  });
  // Our error bodies carry zod's issues whole (code, path, message…), as the tRPC door does;
  // the generator describes an issue as `{ message }` only.
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    const issues = (schema as { properties?: Record<string, { items?: object }> }).properties
      ?.issues;
    if (name.startsWith('error.') && issues) {
      issues.items = {
        type: 'object',
        properties: {
          code: { type: 'string' },
          path: { type: 'array', items: { type: ['string', 'number'] } },
          message: { type: 'string' },
        },
        required: ['message'],
      };
    }
  }
  return document;
}
