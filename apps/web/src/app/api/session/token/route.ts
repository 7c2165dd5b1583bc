import { webServer } from '../../../../server/services';
import { sessionUserId } from '../../../../server/session';

/** A fresh short-lived access token for the session's user, for HTTP calls and the socket. */
export async function POST() {
  const userId = await sessionUserId();
  if (!userId) return Response.json({ error: 'Not signed in' }, { status: 401 });
  const { services } = await webServer();
  const issued = await services.tokens.issue(userId);
  return Response.json(issued, { headers: { 'cache-control': 'no-store' } });
}
