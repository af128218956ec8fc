-- The import that created an account, for its page's history: import_rows keeps a created
-- account's id in new_account_id, which has no index, and the page reads the account by its own
-- id anyway. No index and no foreign key (an import's insert pays nothing per row); a batch that
-- is gone leaves the line without its link.
ALTER TABLE "accounts" ADD COLUMN "import_batch_id" uuid;
