/** What the notification jobs need to know; apps read it from their env.ts. */
export interface NotifyConfig {
  /** How long a message may stay unread before its reader is notified. */
  delayMs: number;
  /** Put message content into pushes and webhooks (off by default). */
  preview: boolean;
  /** Let push endpoints be http URLs or private addresses (tests, local push services). */
  allowInsecureEndpoints: boolean;
  webhook: { url: string; secret: string } | null;
  vapid: { publicKey: string; privateKey: string; subject: string } | null;
}

/** Hooks for the apps' metrics; every one is optional. */
export interface NotifyMetrics {
  job?(outcome: 'queued' | 'done' | 'failed' | 'retried', task: string): void;
  push?(outcome: 'sent' | 'refused' | 'gone' | 'failed'): void;
  webhook?(outcome: 'sent' | 'refused' | 'failed'): void;
  /** Seconds from the oldest unread message to the decision to notify. */
  notificationDelay?(seconds: number): void;
}

/** Job names; the announce job is queued by a trigger on `messages` (see the migration). */
export const tasks = {
  announce: 'messages.announce',
  decide: 'notify.decide',
  push: 'push.send',
  webhook: 'webhook.send',
} as const;

/** With graphile-worker's exponential backoff (e^attempt seconds, capped at e^10), 13 attempts span about a day. */
export const WEBHOOK_MAX_ATTEMPTS = 13;
export const PUSH_MAX_ATTEMPTS = 8;
