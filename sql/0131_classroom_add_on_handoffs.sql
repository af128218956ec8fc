-- The add-on's sign-in popup hands the framed page a single-use token (valid for under a minute),
-- which the frame exchanges for a session of its own (a partitioned cookie). Stored as SHA-256 only.
CREATE TABLE "classroom_add_on_handoffs" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL REFERENCES "accounts"("id") ON DELETE cascade,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "classroom_add_on_handoffs_expires_at_idx" ON "classroom_add_on_handoffs" ("expires_at");
