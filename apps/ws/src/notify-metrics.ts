import type { NotifyMetrics } from '@estuary/api';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Counters for the notification jobs, on the process's /metrics registry. */
export function createNotifyMetrics(
  registry: Registry,
  pendingJobs: () => Promise<number>,
): NotifyMetrics {
  const jobs = new Counter({
    name: 'estuary_jobs_total',
    help: 'Notification jobs by outcome: queued (by this process; the announce job is queued by a trigger), done, retried, failed (for good)',
    labelNames: ['outcome', 'task'],
    registers: [registry],
  });
  new Gauge({
    name: 'estuary_jobs_pending',
    help: 'Jobs waiting in the queue (all processes)',
    registers: [registry],
    async collect() {
      this.set(await pendingJobs().catch(() => -1));
    },
  });
  const pushes = new Counter({
    name: 'estuary_pushes_total',
    help: 'Web Push requests by outcome: sent, refused (endpoint not allowed), gone (404/410, deleted), failed',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'estuary_webhooks_total',
    help: 'Webhook deliveries by outcome: sent, refused (4xx), failed (network or 5xx; retried)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const delay = new Histogram({
    name: 'estuary_notification_delay_seconds',
    help: 'From the oldest unread message to the decision to notify',
    buckets: [1, 5, 10, 15, 20, 30, 60, 120, 300, 900],
    registers: [registry],
  });
  return {
    job: (outcome, task) => jobs.inc({ outcome, task }),
    push: (outcome) => pushes.inc({ outcome }),
    webhook: (outcome) => webhooks.inc({ outcome }),
    notificationDelay: (seconds) => delay.observe(seconds),
  };
}
