import {
  authenticateUser,
  ChatError,
  clientAddress,
  isPlainText,
  RetryLaterError,
} from '@estuary/api';
import { z } from 'zod';
import { isJson, readCappedBody, refused, sameOrigin, tooLarge } from '../../../server/requests';
import { webServer } from '../../../server/services';
import { endSession, startSession } from '../../../server/session';

const plain = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => isPlainText(s));
const credentials = z.object({
  email: plain(254).pipe(z.string().trim().min(1)),
  password: plain(200).pipe(z.string().min(1)),
});

/** Sign in: checks the password (throttled like auth.login) and sets the session cookie. */
export async function POST(req: Request) {
  if (!sameOrigin(req)) return refused(403, 'Cross-site sign-in refused');
  if (!isJson(req)) return refused(415, 'Send JSON (application/json)');
  const body = await readCappedBody(req);
  if (!body) return tooLarge();
  let json: unknown = null;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {}
  const parsed = credentials.safeParse(json);
  if (!parsed.success) return refused(400, 'Enter an email and a password');
  const { services } = await webServer();
  try {
    const user = await services.loginThrottle.attempt(
      parsed.data.email,
      clientAddress(req.headers),
      () => authenticateUser(services.deps.db, parsed.data),
    );
    await startSession(user.id);
    return Response.json({ user });
  } catch (error) {
    if (error instanceof RetryLaterError) {
      const seconds = Math.ceil(error.retryAfterMs / 1000);
      return Response.json(
        {
          error: `Too many sign-in attempts; try again in ${seconds} s`,
          retryAfterMs: error.retryAfterMs,
        },
        { status: 429, headers: { 'retry-after': String(seconds) } },
      );
    }
    if (error instanceof ChatError) return refused(401, 'Wrong email or password');
    throw error;
  }
}

/** Sign out: this session, or with `?everywhere=1` every session of the user. */
export async function DELETE(req: Request) {
  if (!sameOrigin(req)) return refused(403, 'Cross-site request');
  await endSession({ everywhere: new URL(req.url).searchParams.get('everywhere') === '1' });
  return new Response(null, { status: 204 });
}
