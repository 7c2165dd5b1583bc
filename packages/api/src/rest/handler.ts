import type { AnyRouter } from '@trpc/server';
import type { Context } from '../context';
import { openApiDocument } from './document';
import { json, restError, TRPCError } from './errors';
import { type RestRoute, restRoutes } from './routes';

/** The WebSocket frame limit, applied to REST bodies too. */
const MAX_BODY_BYTES = 64 * 1024;

interface Matcher {
  procedure: string;
  route: RestRoute;
  pattern: RegExp;
  /** Query parameters that are numbers or booleans, from the generated document. */
  coerce: Map<string, 'number' | 'boolean'>;
}

type Schema = { type?: string; anyOf?: Schema[] };
type Parameter = { in: string; name: string; schema?: Schema };

function scalarType(schema: Schema | undefined): 'number' | 'boolean' | null {
  const types = [schema?.type, ...(schema?.anyOf ?? []).map((s) => s.type)];
  if (types.includes('integer') || types.includes('number')) return 'number';
  if (types.includes('boolean')) return 'boolean';
  return null;
}

function matchers(router: AnyRouter): Matcher[] {
  const document = openApiDocument(router, { baseUrl: '/' });
  return Object.entries(restRoutes)
    .filter(([procedure]) => procedure in router._def.procedures)
    .map(([procedure, route]) => {
      const operation = (document.paths?.[route.path] as Record<string, unknown> | undefined)?.[
        route.method.toLowerCase()
      ] as { parameters?: Parameter[] } | undefined;
      const coerce = new Map<string, 'number' | 'boolean'>();
      for (const p of operation?.parameters ?? []) {
        const type = p.in === 'query' ? scalarType(p.schema) : null;
        if (type) coerce.set(p.name, type);
      }
      const source = route.path
        .split('/')
        .map((part) => (/^\{\w+\}$/.test(part) ? `(?<${part.slice(1, -1)}>[^/]+)` : part))
        .join('/');
      return { procedure, route, pattern: new RegExp(`^${source}/?$`), coerce };
    });
}

function queryInput(url: URL, coerce: Matcher['coerce']): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) {
    const type = coerce.get(key);
    if (type === 'number' && /^-?\d+(\.\d+)?$/.test(value)) input[key] = Number(value);
    else if (type === 'boolean' && (value === 'true' || value === 'false'))
      input[key] = value === 'true';
    else input[key] = value;
  }
  return input;
}

async function bodyInput(req: Request): Promise<Record<string, unknown>> {
  const type = req.headers.get('content-type') ?? '';
  const text = await req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large' });
  if (text.trim() === '') return {};
  if (!type.startsWith('application/json'))
    throw new TRPCError({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Send the body as application/json',
    });
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {}
  throw new TRPCError({ code: 'BAD_REQUEST', message: 'The body must be a JSON object' });
}

export interface RestHandlerOptions {
  router: AnyRouter;
  /** Where REST is mounted, e.g. `/api/v1`. */
  basePath: string;
  createContext: (req: Request) => Promise<Context>;
  onError?: (error: TRPCError, procedure: string | undefined) => void;
}

/**
 * REST over the router (fetch Request in, Response out): the route picks the procedure,
 * path, query and body make its input, and the call goes through the router itself, so
 * auth, membership, validation, limits and errors are exactly those of the tRPC door.
 */
export function createRestHandler(options: RestHandlerOptions) {
  const { router, basePath } = options;
  const routes = matchers(router);
  return async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const path = url.pathname.startsWith(basePath)
      ? url.pathname.slice(basePath.length) || '/'
      : url.pathname;
    let procedure: string | undefined;
    try {
      let params: Record<string, string> | undefined;
      let hit: Matcher | undefined;
      for (const candidate of routes) {
        if (candidate.route.method !== req.method) continue;
        const match = candidate.pattern.exec(path);
        if (match) {
          hit = candidate;
          params = Object.fromEntries(
            Object.entries(match.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]),
          );
          break;
        }
      }
      if (!hit) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such route' });
      procedure = hit.procedure;
      const fromRequest =
        req.method === 'GET' || req.method === 'DELETE'
          ? queryInput(url, hit.coerce)
          : await bodyInput(req);
      const input = { ...fromRequest, ...params };
      const ctx = await options.createContext(req);
      const caller = router.createCaller(ctx, { signal: req.signal }) as Record<string, unknown>;
      const call = procedure
        .split('.')
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
        input: unknown,
      ) => Promise<unknown>;
      const hasInput = Object.keys(input).length > 0;
      const data = await call(hasInput ? input : undefined);
      return json(200, data ?? null);
    } catch (cause) {
      const { status, body, error } = restError(router, cause, procedure);
      options.onError?.(error, procedure);
      return json(status, body);
    }
  };
}
