import { sql } from 'drizzle-orm';
import type { Deps } from '../deps';
import { badRequest } from '../domain/errors';
import type { User } from '../domain/types';
import { checkEndpointUrl, RefusedEndpoint } from './endpoint';

export interface PushSubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** At most this many browsers per user; the oldest subscription makes room. */
const MAX_PER_USER = 20;

/**
 * Keeps a browser's push subscription for the caller. Idempotent on the endpoint; an endpoint
 * that moved to another user (a shared browser) follows the latest sign-in.
 */
export async function subscribe(
  deps: Deps,
  caller: User,
  input: PushSubscriptionInput,
  allowInsecure: boolean,
): Promise<void> {
  try {
    checkEndpointUrl(input.endpoint, allowInsecure);
  } catch (error) {
    if (error instanceof RefusedEndpoint) throw badRequest(error.message);
    throw error;
  }
  await deps.db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into push_subscriptions (endpoint, user_id, p256dh, auth)
      values (${input.endpoint}, ${caller.id}, ${input.keys.p256dh}, ${input.keys.auth})
      on conflict (endpoint) do update
        set user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth`);
    await tx.execute(sql`
      delete from push_subscriptions where user_id = ${caller.id} and endpoint in (
        select endpoint from push_subscriptions where user_id = ${caller.id}
        order by created_at desc offset ${MAX_PER_USER})`);
  });
}

export async function unsubscribe(deps: Deps, caller: User, endpoint: string): Promise<void> {
  await deps.db.execute(sql`
    delete from push_subscriptions where endpoint = ${endpoint} and user_id = ${caller.id}`);
}
