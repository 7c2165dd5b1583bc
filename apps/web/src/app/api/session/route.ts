import { authenticateUser } from '@estuary/api';
import { z } from 'zod';
import { formSignIn, isFormPost } from '../../../server/form-sign-in';
import { webServer } from '../../../server/services';
import { endSession, startSession } from '../../../server/session';

const credentials = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(200),
});

/** Sign in: checks the password and sets the session cookie. */
export async function POST(req: Request) {
  // The login form without JavaScript (see form-sign-in.ts); scripts send JSON.
  if (isFormPost(req)) return formSignIn(req);
  const parsed = credentials.safeParse(await req.json().catch(() => null));
  if (!parsed.success)
    return Response.json({ error: 'Enter an email and a password' }, { status: 400 });
  const { services } = await webServer();
  try {
    const user = await authenticateUser(services.deps.db, parsed.data);
    await startSession(user.id);
    return Response.json({ user });
  } catch {
    return Response.json({ error: 'Wrong email or password' }, { status: 401 });
  }
}

/** Sign out. */
export async function DELETE() {
  await endSession();
  return new Response(null, { status: 204 });
}
