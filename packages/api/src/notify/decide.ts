import type { Db } from '@estuary/db';
import { sql } from 'drizzle-orm';
import {
  type NotifyConfig,
  type NotifyMetrics,
  PUSH_MAX_ATTEMPTS,
  tasks,
  WEBHOOK_MAX_ATTEMPTS,
} from './config';
import { addJob } from './jobs';
import type { PushJob, PushNotification } from './push';
import type { WebhookJob } from './webhook';

type Candidate = {
  userId: string;
  lastReadSeq: number;
  unreadCount: number;
  oldestAt: Date;
  latestId: string;
  latestContent: string;
  latestSenderName: string | null;
  kind: 'booking' | 'direct' | 'group';
  title: string | null;
};

/**
 * `notify.decide`: who in this conversation gets notified now. A participant is due when a
 * message from someone else has stayed unread for the delay, they have not muted the
 * conversation, and they have read something since their last notification (so one
 * notification per conversation until they read). Marking them notified and queueing their
 * pushes and webhook happen in one transaction, so a retry never notifies twice.
 */
export async function decide(
  db: Db,
  config: NotifyConfig,
  metrics: NotifyMetrics,
  conversationId: string,
): Promise<void> {
  const queued: string[] = [];
  const delays: number[] = [];
  await db.transaction(async (tx) => {
    // A replaced job can run beside its successor; decisions for one conversation take turns.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`decide:${conversationId}`}))`);
    const candidates = await tx.execute<Candidate>(sql`
      select p.user_id as "userId", p.last_read_seq as "lastReadSeq",
             count(*)::int as "unreadCount", min(m.created_at) as "oldestAt",
             (array_agg(m.id order by m.seq desc))[1] as "latestId",
             (array_agg(m.content order by m.seq desc))[1] as "latestContent",
             (array_agg(u.name order by m.seq desc))[1] as "latestSenderName",
             c.kind, c.title
      from conversation_participants p
      join conversations c on c.id = p.conversation_id
      join messages m on m.conversation_id = p.conversation_id and m.seq > p.last_read_seq
        and m.sender_id is distinct from p.user_id and m.deleted_at is null
      left join users u on u.id = m.sender_id
      where p.conversation_id = ${conversationId} and not p.muted
        and (p.notified_read_seq is null or p.last_read_seq > p.notified_read_seq)
      group by p.user_id, p.last_read_seq, c.kind, c.title`);
    const now = Date.now();
    let nextDue: number | null = null;
    for (const candidate of candidates) {
      const oldest = new Date(candidate.oldestAt).getTime();
      if (oldest + config.delayMs > now) {
        nextDue = Math.min(nextDue ?? Number.POSITIVE_INFINITY, oldest + config.delayMs);
        continue;
      }
      const [marked] = await tx.execute(sql`
        update conversation_participants set notified_read_seq = last_read_seq
        where conversation_id = ${conversationId} and user_id = ${candidate.userId}
          and last_read_seq = ${candidate.lastReadSeq}
        returning user_id`);
      if (!marked) continue;
      delays.push((now - oldest) / 1000);
      const notification = describe(conversationId, candidate, config.preview);
      const subscriptions = await tx.execute<{ endpoint: string }>(sql`
        select endpoint from push_subscriptions where user_id = ${candidate.userId}`);
      if (config.vapid) {
        for (const { endpoint } of subscriptions) {
          const job: PushJob = { endpoint, userId: candidate.userId, notification };
          await addJob(tx, tasks.push, job, { maxAttempts: PUSH_MAX_ATTEMPTS });
          queued.push(tasks.push);
        }
      }
      if (config.webhook) {
        const job: WebhookJob = {
          id: `ntf_${candidate.latestId}_${candidate.userId}`,
          type: 'notification.unread',
          timestamp: new Date(now).toISOString(),
          data: {
            userId: candidate.userId,
            conversationId,
            messageId: candidate.latestId,
            senderName: candidate.latestSenderName,
            unreadCount: candidate.unreadCount,
            ...(config.preview ? { content: candidate.latestContent } : {}),
          },
        };
        await addJob(tx, tasks.webhook, job, { maxAttempts: WEBHOOK_MAX_ATTEMPTS });
        queued.push(tasks.webhook);
      }
    }
    if (nextDue !== null) {
      await addJob(
        tx,
        tasks.decide,
        { conversationId },
        {
          runAt: new Date(nextDue),
          jobKey: `decide:${conversationId}`,
          jobKeyMode: 'preserve_run_at',
        },
      );
      queued.push(tasks.decide);
    }
  });
  for (const task of queued) metrics.job?.('queued', task);
  for (const seconds of delays) metrics.notificationDelay?.(seconds);
}

/** What the notification says: who (or which group), how many, and where it leads. */
function describe(conversationId: string, c: Candidate, preview: boolean): PushNotification {
  const title = (c.kind === 'group' ? c.title : c.latestSenderName) ?? c.title ?? 'Estuary';
  const count = c.unreadCount === 1 ? '1 new message' : `${c.unreadCount} new messages`;
  return {
    conversationId,
    title,
    body: preview
      ? c.unreadCount === 1
        ? c.latestContent
        : `${count}: ${c.latestContent}`
      : count,
    unreadCount: c.unreadCount,
    url: `/conversations/${conversationId}`,
    tag: `conversation-${conversationId}`,
  };
}
