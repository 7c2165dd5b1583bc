CREATE TABLE "push_subscriptions" (
	"endpoint" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"p256dh" text NOT NULL,
	"auth" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "conversation_participants" ADD COLUMN "last_delivered_seq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "conversation_participants" ADD COLUMN "delivered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversation_participants" ADD COLUMN "muted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "conversation_participants" ADD COLUMN "notified_read_seq" integer;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "announced_seq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "push_subscriptions" ADD CONSTRAINT "push_subscriptions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "push_subscriptions_user_idx" ON "push_subscriptions" USING btree ("user_id");--> statement-breakpoint
-- hand-written: existing messages are not news; only messages from now on are announced.
UPDATE "conversations" SET "announced_seq" = "last_seq";--> statement-breakpoint
-- hand-written: the durable outbox. New messages enqueue, in their own transaction, one
-- graphile-worker job per conversation (job_key dedupes a burst), so a crash between commit
-- and enqueue cannot lose a notification or a webhook. The queue's schema is installed by the
-- first worker to start; before that (or in a database that never runs workers) nothing is queued.
CREATE FUNCTION "estuary_announce_messages"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF to_regnamespace('graphile_worker') IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM graphile_worker.add_job(
    'messages.announce',
    json_build_object('conversationId', c.conversation_id),
    job_key => 'announce:' || c.conversation_id,
    max_attempts => 25)
  FROM (SELECT DISTINCT conversation_id FROM new_messages) c;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "messages_announce" AFTER INSERT ON "messages"
  REFERENCING NEW TABLE AS new_messages FOR EACH STATEMENT EXECUTE FUNCTION "estuary_announce_messages"();
