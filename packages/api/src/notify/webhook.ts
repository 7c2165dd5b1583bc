import { Webhook } from 'standardwebhooks';
import type { NotifyConfig, NotifyMetrics } from './config';
import { post } from './endpoint';
import { RetryableError } from './push';

/** A webhook as queued: the id and body are fixed when it is decided, so retries are identical. */
export interface WebhookJob {
  /** `webhook-id`: the same on every attempt, so receivers can drop duplicates. */
  id: string;
  type: 'message.created' | 'notification.unread';
  /** When the event happened (the body's `timestamp`). */
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * `webhook.send`: POSTs the event signed by the Standard Webhooks scheme. Anything but a 2xx
 * throws, and graphile-worker retries with exponential backoff (for about a day).
 */
export async function sendWebhook(
  config: NotifyConfig,
  metrics: NotifyMetrics,
  job: WebhookJob,
): Promise<void> {
  if (!config.webhook) return;
  const body = JSON.stringify({ type: job.type, timestamp: job.timestamp, data: job.data });
  // The signature's timestamp is this attempt's: receivers refuse stale ones (replay defence).
  const now = new Date();
  const signature = new Webhook(config.webhook.secret).sign(job.id, now, body);
  let status: number;
  try {
    const response = await post(
      new URL(config.webhook.url),
      {
        'content-type': 'application/json',
        'webhook-id': job.id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
      // The operator chose this URL: it may well be on their own network.
      { publicOnly: false },
    );
    status = response.status;
  } catch (error) {
    metrics.webhook?.('failed');
    throw new RetryableError(`webhook ${job.type} failed: ${String(error)}`);
  }
  if (status >= 200 && status < 300) {
    metrics.webhook?.('sent');
    return;
  }
  metrics.webhook?.(status >= 400 && status < 500 && status !== 429 ? 'refused' : 'failed');
  throw new RetryableError(`webhook ${job.type} answered ${status}`);
}
