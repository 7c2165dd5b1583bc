import { restHandler } from '../../../../server/rest/doors';

// REST over the router, generated from its procedures: see /api/openapi.json and /api/docs.
async function handler(req: Request) {
  return (await restHandler())(req);
}

export { handler as DELETE, handler as GET, handler as PATCH, handler as POST, handler as PUT };
