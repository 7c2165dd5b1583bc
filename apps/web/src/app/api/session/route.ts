import {
  authenticateUser,
  ChatError,
  clientAddress,
  credentials,
  RetryLaterError,
} from '@estuary/api';
import { backToForm, isFormPost, seeOther } from '../../../server/form-sign-in';
import { isJson, readCappedBody, refused, sameOrigin, tooLarge } from '../../../server/requests';
import { chatServer } from '../../../server/services';
import { endSession, startSession } from '../../../server/session';

function parseFields(text: string, form: boolean): unknown {
  if (form) return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Sign in: checks the password (throttled like auth.login) and sets the session cookie. Scripts
 * send JSON; the login form without JavaScript posts itself (see form-sign-in.ts) and gets a
 * redirect. Both must come from this site (login CSRF).
 */
export async function POST(req: Request) {
  if (!sameOrigin(req)) return refused(403, 'Cross-site sign-in refused');
  const form = isFormPost(req);
  if (!form && !isJson(req)) return refused(415, 'Send JSON (application/json)');
  const body = await readCappedBody(req);
  if (!body) return tooLarge();
  const parsed = credentials.safeParse(parseFields(new TextDecoder().decode(body), form));
  if (!parsed.success)
    return form ? backToForm('missing') : refused(400, 'Enter an email and a password');
  const { services } = await chatServer();
  try {
    const user = await services.loginThrottle.attempt(
      parsed.data.email,
      clientAddress(req.headers),
      () => authenticateUser(services.deps.db, parsed.data),
    );
    await startSession(user.id);
    return form ? seeOther('/conversations') : Response.json({ user });
  } catch (error) {
    if (error instanceof RetryLaterError) {
      if (form) return backToForm('throttled');
      const seconds = Math.ceil(error.retryAfterMs / 1000);
      return Response.json(
        {
          error: `Too many sign-in attempts; try again in ${seconds} s`,
          retryAfterMs: error.retryAfterMs,
        },
        { status: 429, headers: { 'retry-after': String(seconds) } },
      );
    }
    if (error instanceof ChatError)
      return form ? backToForm('credentials') : refused(401, 'Wrong email or password');
    throw error;
  }
}

/** Sign out: this session, or with `?everywhere=1` every session of the user. */
export async function DELETE(req: Request) {
  if (!sameOrigin(req)) return refused(403, 'Cross-site request');
  await endSession({ everywhere: new URL(req.url).searchParams.get('everywhere') === '1' });
  return new Response(null, { status: 204 });
}
