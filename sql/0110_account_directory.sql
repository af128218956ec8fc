-- An account's page and bulk actions on View Accounts: deactivation, password-reset links and
-- the bulk actions that run as jobs.
ALTER TABLE "accounts" ADD COLUMN "deactivated_at" timestamp with time zone;
--> statement-breakpoint
-- The Deactivated filter of View Accounts reads the few deactivated accounts in name order.
CREATE INDEX "accounts_deactivated_list_order_idx" ON "accounts" USING btree ("organisation_id", "last_name", "first_name", "id")
  WHERE "deactivated_at" IS NOT NULL;
--> statement-breakpoint
-- Only a hash of the emailed token is kept; the link itself exists in the email alone.
CREATE TABLE "password_resets" (
  "token_hash" text PRIMARY KEY NOT NULL,
  "account_id" uuid NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "organisation_id" uuid NOT NULL REFERENCES "organisations"("id") ON DELETE CASCADE,
  "created_by" uuid REFERENCES "accounts"("id") ON DELETE SET NULL,
  "expires_at" timestamp with time zone NOT NULL,
  "used_at" timestamp with time zone,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "password_resets_account_idx" ON "password_resets" USING btree ("account_id");
--> statement-breakpoint
CREATE TYPE "bulk_action_status" AS ENUM ('queued', 'running', 'finished', 'failed');
--> statement-breakpoint
-- One bulk action on a selection of View Accounts. The account ids are frozen at Confirm; tag
-- and group carry no foreign key so that deleting them later leaves the record readable (the
-- job checks they still exist).
CREATE TABLE "bulk_actions" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "organisation_id" uuid NOT NULL REFERENCES "organisations"("id") ON DELETE CASCADE,
  "created_by" uuid REFERENCES "accounts"("id") ON DELETE SET NULL,
  "action" text NOT NULL CHECK ("action" IN ('add-tag', 'remove-tag', 'move-group', 'deactivate', 'reactivate', 'delete')),
  "tag_id" uuid,
  "group_id" uuid,
  "target_name" text,
  "account_ids" uuid[] NOT NULL,
  "status" "bulk_action_status" DEFAULT 'queued' NOT NULL,
  "changed_count" integer DEFAULT 0 NOT NULL,
  "skipped_count" integer DEFAULT 0 NOT NULL,
  "error" text,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "started_at" timestamp with time zone,
  "finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "bulk_actions_organisation_created_idx" ON "bulk_actions" USING btree ("organisation_id", "created_at");
--> statement-breakpoint
-- An account's page reads its recent history by subject.
CREATE INDEX "audit_log_subject_idx" ON "audit_log" USING btree ("subject_id", "at") WHERE "subject_type" = 'account';
