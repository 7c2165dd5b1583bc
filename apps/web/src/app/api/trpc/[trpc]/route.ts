import { createHttpContext, describeError, errorId, HTTP_MAX_BATCH } from '@estuary/api';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { readCappedBody, tooLarge } from '../../../../server/requests';
import { chatServer } from '../../../../server/services';

async function handler(req: Request) {
  let request = req;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const body = await readCappedBody(req);
    if (!body) return tooLarge();
    request = new Request(req.url, { method: req.method, headers: req.headers, body });
  }
  const { services, router } = await chatServer();
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req: request,
    router,
    maxBatchSize: HTTP_MAX_BATCH,
    createContext: () => createHttpContext(services, req.headers),
    onError({ error, path }) {
      // The client got a generic message and this id; the log gets the id and the error
      // without its values (no SQL parameters).
      if (error.code === 'INTERNAL_SERVER_ERROR')
        console.error(
          `[web] ${path} failed; error id ${errorId(error)}`,
          JSON.stringify(describeError(error)),
        );
    },
  });
}

export { handler as GET, handler as POST };
