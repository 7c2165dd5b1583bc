import 'server-only';
import { authenticateUser } from '@estuary/api';
import { webServer } from './services';
import { startSession } from './session';

/**
 * Signing in without JavaScript: the login form posts itself here (method="post", never a
 * GET that would put the password in the URL) when the page has not hydrated. A form is a
 * cross-site request anyone's page can send, so it is taken only with an Origin that is this
 * very host; the answer is a redirect, to the app or back to the form with an error code (the
 * credentials are never in a URL).
 */

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export const isFormPost = (req: Request) =>
  (req.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() === FORM_CONTENT_TYPE;

/** Whether the request's Origin is this host (scheme aside: TLS may end in front of us). */
export function sameOrigin(req: Request): boolean {
  const origin = req.headers.get('origin');
  const host = req.headers.get('host');
  if (!origin || !host || origin === 'null') return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** Why a form sign-in went back to the form; the login page turns it into words. */
export type FormSignInError = 'missing' | 'credentials';

const seeOther = (location: string) =>
  new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });

export async function formSignIn(req: Request): Promise<Response> {
  if (!sameOrigin(req))
    return new Response('Sign in from this site’s own login page.', { status: 403 });
  const form = await req.formData().catch(() => null);
  const email = String(form?.get('email') ?? '').trim();
  const password = String(form?.get('password') ?? '');
  const back = (error: FormSignInError) => seeOther(`/login?error=${error}`);
  if (!email || !password || email.length > 254 || password.length > 200) return back('missing');
  const { services } = await webServer();
  try {
    const user = await authenticateUser(services.deps.db, { email, password });
    await startSession(user.id);
  } catch {
    return back('credentials');
  }
  return seeOther('/conversations');
}
