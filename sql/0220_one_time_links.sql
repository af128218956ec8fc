-- One mechanism for every emailed or printed one-time link (issue 12): the operator's sign-in
-- link and the password-reset email were two tables with the same columns and rules. Both become
-- rows of one_time_links, told apart by purpose; existing links keep working (copied as they are).
-- Only the SHA-256 of each token is kept; a link works once, before it expires.
CREATE TABLE "one_time_links" (
  "token_hash" text PRIMARY KEY NOT NULL,
  "purpose" text NOT NULL CHECK ("purpose" IN ('sign_in', 'password_reset')),
  "account_id" uuid NOT NULL REFERENCES "accounts"("id") ON DELETE CASCADE,
  "organisation_id" uuid NOT NULL REFERENCES "organisations"("id") ON DELETE CASCADE,
  "created_by" uuid REFERENCES "accounts"("id") ON DELETE SET NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "expires_at" timestamp with time zone NOT NULL,
  "used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "one_time_links_account_idx" ON "one_time_links" USING btree ("account_id", "purpose");
--> statement-breakpoint
INSERT INTO "one_time_links" ("token_hash", "purpose", "account_id", "organisation_id", "created_by", "created_at", "expires_at", "used_at")
SELECT "token_hash", 'sign_in', "account_id", "organisation_id", NULL, "created_at", "expires_at", "used_at" FROM "sign_in_links"
UNION ALL
SELECT "token_hash", 'password_reset', "account_id", "organisation_id", "created_by", "created_at", "expires_at", "used_at" FROM "password_resets";
--> statement-breakpoint
DROP TABLE "sign_in_links";
--> statement-breakpoint
DROP TABLE "password_resets";
