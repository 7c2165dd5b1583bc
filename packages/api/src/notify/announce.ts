import type { Db } from '@estuary/db';
import { sql } from 'drizzle-orm';
import { type NotifyConfig, type NotifyMetrics, tasks, WEBHOOK_MAX_ATTEMPTS } from './config';
import { addJob } from './jobs';
import type { WebhookJob } from './webhook';

/** Messages handed on per run; a longer backlog queues the job again. */
const BATCH = 500;

type NewMessage = {
  id: string;
  seq: number;
  senderId: string | null;
  content: string;
  createdAt: Date;
};

/**
 * `messages.announce`: queued by the insert trigger, once per conversation and burst. In one
 * transaction it moves the conversation's `announced_seq` past the new messages and queues
 * what they cause: a `message.created` webhook each, and the notification decision for the
 * conversation once the delay has passed. A crash before commit leaves both to the retry.
 */
export async function announce(
  db: Db,
  config: NotifyConfig,
  metrics: NotifyMetrics,
  conversationId: string,
): Promise<void> {
  const queued: string[] = [];
  await db.transaction(async (tx) => {
    const [conversation] = await tx.execute<{ announcedSeq: number; lastSeq: number }>(sql`
      select announced_seq as "announcedSeq", last_seq as "lastSeq" from conversations
      where id = ${conversationId} for update`);
    if (!conversation || conversation.lastSeq <= conversation.announcedSeq) return;
    const fresh = await tx.execute<NewMessage>(sql`
      select id, seq, sender_id as "senderId", content, created_at as "createdAt" from messages
      where conversation_id = ${conversationId} and seq > ${conversation.announcedSeq}
      order by seq limit ${BATCH}`);
    const last = fresh.at(-1);
    const first = fresh[0];
    if (!last || !first) return;
    await tx.execute(sql`
      update conversations set announced_seq = ${last.seq} where id = ${conversationId}`);
    if (config.webhook) {
      for (const message of fresh) {
        const job: WebhookJob = {
          id: `msg_${message.id}`,
          type: 'message.created',
          timestamp: new Date(message.createdAt).toISOString(),
          data: {
            conversationId,
            messageId: message.id,
            seq: message.seq,
            senderId: message.senderId,
            ...(config.preview ? { content: message.content } : {}),
          },
        };
        await addJob(tx, tasks.webhook, job, { maxAttempts: WEBHOOK_MAX_ATTEMPTS });
        queued.push(tasks.webhook);
      }
    }
    // One decision per conversation; a burst keeps the earliest due time.
    await addJob(
      tx,
      tasks.decide,
      { conversationId },
      {
        runAt: new Date(new Date(first.createdAt).getTime() + config.delayMs),
        jobKey: `decide:${conversationId}`,
        jobKeyMode: 'preserve_run_at',
      },
    );
    queued.push(tasks.decide);
    if (last.seq < conversation.lastSeq) {
      await addJob(
        tx,
        tasks.announce,
        { conversationId },
        { jobKey: `announce-more:${conversationId}` },
      );
      queued.push(tasks.announce);
    }
  });
  for (const task of queued) metrics.job?.('queued', task);
}
