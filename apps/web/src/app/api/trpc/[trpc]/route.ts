import { createHttpContext } from '@estuary/api';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { webServer } from '../../../../server/services';

// The WebSocket frame limit, applied to HTTP bodies too: no request gets bigger than this.
const MAX_BODY_BYTES = 64 * 1024;

async function handler(req: Request) {
  const length = Number(req.headers.get('content-length') ?? 0);
  if (length > MAX_BODY_BYTES) {
    return Response.json(
      {
        error: {
          message: 'Request body too large',
          data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 },
        },
      },
      { status: 413 },
    );
  }
  const { services, router } = await webServer();
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router,
    createContext: () => createHttpContext(services, req.headers),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        console.error(`[web] ${path} failed`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
