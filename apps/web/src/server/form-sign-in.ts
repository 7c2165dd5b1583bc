import 'server-only';

/**
 * Signing in without JavaScript: the login form posts itself to /api/session (method="post",
 * never a GET that would put the password in the URL) when the page has not hydrated. It goes
 * through the same checks as the scripted sign-in (same-origin Origin, capped body, throttle,
 * session); only the answer differs: a redirect, to the app or back to the form with an error
 * code (the credentials are never in a URL).
 */

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export const isFormPost = (req: Request) =>
  (req.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() === FORM_CONTENT_TYPE;

/** Why a form sign-in went back to the form; the login page turns it into words. */
export type FormSignInError = 'missing' | 'credentials' | 'throttled';

export const seeOther = (location: string) =>
  new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });

export const backToForm = (error: FormSignInError) => seeOther(`/login?error=${error}`);
