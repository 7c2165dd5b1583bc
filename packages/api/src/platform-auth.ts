import { upsertExternalUser } from './domain/external-users';
import type { User } from './domain/types';
import type { ChatServices } from './services';

/**
 * What a platform token gets: a user, or the reason it was refused. A subset of the
 * context's `AuthState`, declared here so this module does not import the context that calls it.
 */
export type PlatformAuth =
  | { ok: true; user: User; expiresAt: Date }
  | { ok: false; reason: 'expired' | 'invalid' | 'unavailable' };

const CACHE_MS = 30_000;
const CACHE_MAX = 50_000;
const recent = new WeakMap<ChatServices, Map<string, { user: User; at: number }>>();

/**
 * A platform token: verified against the platform's keys, then its user is created or
 * updated just in time. Tokens with the same claims within 30 s reuse the row they made.
 */
export async function authenticatePlatform(
  services: ChatServices,
  token: string,
): Promise<PlatformAuth> {
  if (!services.platform) return { ok: false, reason: 'invalid' };
  const verdict = await services.platform.verify(token);
  if (!verdict.ok) {
    services.deps.log(
      verdict.reason === 'unavailable' ? 'warn' : 'debug',
      'platform token refused',
      {
        reason: verdict.reason,
        why: verdict.why,
      },
    );
    return { ok: false, reason: verdict.reason };
  }
  const { expiresAt, ...claims } = verdict.identity;
  const key = JSON.stringify([claims.externalId, claims.email, claims.name, claims.role]);
  const cache = recent.get(services) ?? new Map<string, { user: User; at: number }>();
  recent.set(services, cache);
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return { ok: true, user: hit.user, expiresAt };
  try {
    const user = await upsertExternalUser(services.deps.db, claims);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(key, { user, at: Date.now() });
    return { ok: true, user, expiresAt };
  } catch (error) {
    // An email held by another account: the token is fine, but it cannot be signed in.
    services.deps.log('warn', 'platform user could not be created', { error: String(error) });
    return { ok: false, reason: 'invalid' };
  }
}
