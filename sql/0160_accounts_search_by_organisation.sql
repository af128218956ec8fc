-- The View Accounts search index carries the organisation (btree_gin's operator class for uuid
-- beside the trigram one), so a search in one school intersects that school's entries with the
-- trigram lists instead of rechecking every school's matches: its cost follows the school's data,
-- not the whole table's. Both installed servers (15 and 17) ship btree_gin; it is a trusted
-- extension, so the migrating role needs no superuser.
CREATE EXTENSION IF NOT EXISTS btree_gin;
--> statement-breakpoint
DROP INDEX IF EXISTS "accounts_search_trgm_idx";
--> statement-breakpoint
CREATE INDEX "accounts_search_trgm_idx" ON "accounts" USING gin ("organisation_id", (lower("first_name" || ' ' || "last_name" || ' ' || "email")) gin_trgm_ops);
