CREATE TYPE "public"."message_kind" AS ENUM('user', 'system');--> statement-breakpoint
CREATE TABLE "service_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "sender_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "kind" "message_kind" DEFAULT 'user' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "external_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "service_accounts_token_hash_key" ON "service_accounts" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "service_accounts_live_name_key" ON "service_accounts" USING btree ("name") WHERE "service_accounts"."revoked_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_system_client_key" ON "messages" USING btree ("client_id") WHERE "messages"."kind" = 'system';--> statement-breakpoint
CREATE UNIQUE INDEX "users_external_id_key" ON "users" USING btree ("external_id");--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_sender_by_kind" CHECK (("messages"."kind" = 'system') = ("messages"."sender_id" is null));