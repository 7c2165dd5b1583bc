import 'server-only';
import { createHttpContext } from '@estuary/api';
import { createRestHandler, openApiDocument } from '@estuary/api/rest';
import { chatServer } from '../services';

/** Where the router's REST door is mounted (see app/api/v1). */
export const REST_BASE = '/api/v1';

let handler: Promise<(req: Request) => Promise<Response>> | undefined;

/** The REST handler over this process's router, built once. */
export function restHandler() {
  handler ??= chatServer().then(({ router, services }) =>
    createRestHandler({
      router,
      basePath: REST_BASE,
      createContext: (req) => createHttpContext(services, req.headers),
      onError(error, procedure) {
        if (error.code === 'INTERNAL_SERVER_ERROR')
          console.error(`[web] REST ${procedure ?? '?'} failed`, error.cause ?? error);
      },
    }),
  );
  return handler;
}

let document: Promise<unknown> | undefined;

/** The OpenAPI document; its server URL is relative, so it holds behind any proxy. */
export function restDocument() {
  document ??= chatServer().then(({ router, services }) =>
    openApiDocument(router, { baseUrl: REST_BASE, limits: services.limits }),
  );
  return document;
}
