import { refused, sameOrigin } from '../../../../server/requests';
import { chatServer } from '../../../../server/services';
import { currentSession } from '../../../../server/session';

/** A fresh short-lived access token bound to the browser's session, for HTTP calls and the socket. */
export async function POST(req: Request) {
  if (req.headers.has('origin') && !sameOrigin(req)) return refused(403, 'Cross-site request');
  const session = await currentSession();
  if (!session) return refused(401, 'Not signed in');
  const { services } = await chatServer();
  const issued = await services.tokens.issueForSession(session.userId, session.id);
  return Response.json(issued, { headers: { 'cache-control': 'no-store' } });
}
