import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpContext } from '../src/context';
import { createRestHandler, legacyHistory, openApiDocument } from '../src/rest';
import type { Stack } from './harness';

/**
 * The REST doors over real HTTP, mounted as apps/web mounts them: `/api/v1/…`,
 * `/api/openapi.json` and the old `/api/conversations/<id>/messages`.
 */
export async function startRestServer(stack: Stack) {
  const { router, services } = stack;
  const rest = createRestHandler({
    router,
    basePath: '/api/v1',
    createContext: (req) => createHttpContext(services, req.headers),
  });
  let base = '';
  const http: Server = createServer(async (req, res) => {
    const request = await toRequest(req, base);
    const path = new URL(request.url).pathname;
    const history = /^\/api\/conversations\/([^/]+)\/messages\/?$/.exec(path);
    let response: Response;
    if (path.startsWith('/api/v1/')) response = await rest(request);
    else if (path === '/api/openapi.json')
      response = Response.json(
        openApiDocument(router, { baseUrl: `${base}/api/v1`, limits: services.limits }),
      );
    else if (history && request.method === 'GET')
      response = await legacyHistory(
        router,
        await createHttpContext(services, request.headers),
        request,
        decodeURIComponent(history[1] ?? ''),
      );
    else response = new Response('Not Found', { status: 404 });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    base,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

async function toRequest(req: IncomingMessage, base: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(key, value);
  }
  const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  return new Request(`${base}${req.url}`, {
    method: req.method,
    headers,
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
  });
}
