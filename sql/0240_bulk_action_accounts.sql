-- Which accounts each bulk action changed, for their pages' history. A bulk action keeps one
-- audit_log line ('accounts.bulk_action'); a line per changed account there cost two per-row
-- foreign-key checks, three index entries and a jsonb each (about 2 s of 100k accounts). This table
-- is written by the statement that changes the accounts and read by an account's page through its
-- primary key (account_id first). No per-row foreign keys: rows follow deleted accounts and bulk
-- actions a statement at a time, as account_tags' do (0221).
CREATE TABLE "bulk_action_accounts" (
  "account_id" uuid NOT NULL,
  "bulk_action_id" uuid NOT NULL,
  PRIMARY KEY ("account_id", "bulk_action_id")
);
--> statement-breakpoint
-- Named to run after account_tags_follow_deleted_accounts, so a delete that waited there for an
-- Add tag to commit also removes the lines that Add tag wrote.
CREATE FUNCTION bulk_action_accounts_follow_deleted_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM bulk_action_accounts x USING gone g WHERE x.account_id = g.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER bulk_action_accounts_follow_deleted_accounts AFTER DELETE ON accounts
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION bulk_action_accounts_follow_deleted_accounts();
--> statement-breakpoint
-- Bulk actions go only with their organisation, whose accounts (and so these rows) go too; this
-- covers any other delete.
CREATE FUNCTION bulk_action_accounts_follow_deleted_bulk_actions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM bulk_action_accounts x USING gone g WHERE x.bulk_action_id = g.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER bulk_action_accounts_follow_deleted_bulk_actions AFTER DELETE ON bulk_actions
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION bulk_action_accounts_follow_deleted_bulk_actions();
