import type { Db } from '@estuary/db';
import { sql } from 'drizzle-orm';
import webpush from 'web-push';
import type { Log } from '../deps';
import type { NotifyConfig, NotifyMetrics } from './config';
import { checkEndpointUrl, post, RefusedEndpoint } from './endpoint';

/** The JSON the service worker receives. */
export interface PushNotification {
  conversationId: string;
  title: string;
  body: string;
  unreadCount: number;
  /** The conversation's path in the web app. */
  url: string;
  /** Notifications of one conversation replace each other. */
  tag: string;
}

export interface PushJob {
  endpoint: string;
  userId: string;
  notification: PushNotification;
}

/** Push services keep a message this long for an offline browser. */
const TTL_SECONDS = 24 * 3600;

/** A failure worth retrying (the job throws); anything else ends the job. */
export class RetryableError extends Error {}

/**
 * `push.send`: one encrypted push to one subscription. web-push encrypts (aes128gcm) and signs
 * (VAPID); we send the request ourselves, so the endpoint's address is checked at connect.
 * 404 and 410 mean the subscription is gone for good: it is deleted.
 */
export async function sendPush(
  db: Db,
  config: NotifyConfig,
  metrics: NotifyMetrics,
  log: Log,
  job: PushJob,
): Promise<void> {
  if (!config.vapid) return;
  const [subscription] = await db.execute<{ endpoint: string; p256dh: string; auth: string }>(sql`
    select endpoint, p256dh, auth from push_subscriptions
    where endpoint = ${job.endpoint} and user_id = ${job.userId}`);
  if (!subscription) return;
  const endpointHost = safeHost(subscription.endpoint);
  let url: URL;
  try {
    url = checkEndpointUrl(subscription.endpoint, config.allowInsecureEndpoints);
  } catch (error) {
    metrics.push?.('refused');
    log('warn', 'push endpoint refused', { host: endpointHost, reason: String(error) });
    return;
  }
  const details = webpush.generateRequestDetails(
    {
      endpoint: subscription.endpoint,
      keys: { p256dh: subscription.p256dh, auth: subscription.auth },
    },
    JSON.stringify(job.notification),
    {
      vapidDetails: config.vapid,
      TTL: TTL_SECONDS,
      // At most 32 URL-safe characters: the conversation id without its dashes.
      topic: job.notification.conversationId.replaceAll('-', ''),
      urgency: 'normal',
      contentEncoding: 'aes128gcm',
    },
  );
  let status: number;
  try {
    const response = await post(
      url,
      details.headers as Record<string, string>,
      details.body ?? Buffer.alloc(0),
      { publicOnly: !config.allowInsecureEndpoints },
    );
    status = response.status;
  } catch (error) {
    if (error instanceof RefusedEndpoint) {
      metrics.push?.('refused');
      log('warn', 'push endpoint refused', { host: endpointHost, reason: error.message });
      return;
    }
    metrics.push?.('failed');
    throw new RetryableError(`push to ${endpointHost} failed: ${String(error)}`);
  }
  if (status >= 200 && status < 300) {
    metrics.push?.('sent');
    return;
  }
  if (status === 404 || status === 410) {
    await db.execute(sql`delete from push_subscriptions where endpoint = ${subscription.endpoint}`);
    metrics.push?.('gone');
    log('info', 'push subscription gone; deleted', { host: endpointHost, status });
    return;
  }
  metrics.push?.('failed');
  if (status === 429 || status >= 500)
    throw new RetryableError(`push to ${endpointHost} answered ${status}`);
  // 400, 401, 403, 413…: retrying the same request cannot help.
  log('warn', 'push refused by the push service', { host: endpointHost, status });
}

/** Endpoints carry a per-browser secret in their path: logs get the host only. */
const safeHost = (endpoint: string) => {
  try {
    return new URL(endpoint).host;
  } catch {
    return 'invalid';
  }
};
