-- account_tags' references checked a statement at a time, as accounts' are (0012): adding a tag to
-- 100k accounts paid two foreign-key checks per row (an index probe and a row lock in accounts, one
-- in tags), most of the bulk action's time. Now one statement-level check over the rows written:
-- - the few distinct tags are locked FOR KEY SHARE, as a foreign key's check locks them, and must
--   exist (a tag deleted at the same time makes it fail, or waits for this transaction);
-- - every written account must be an account of its tag's organisation: one anti-join per
--   organisation against the (organisation_id, id) index, whatever the number of rows;
-- - instead of locking each account row, the check holds a shared advisory lock per organisation
--   until commit, and deleting accounts takes it exclusively before removing their tags (below):
--   a delete waits for tag writers of its organisation to commit and then removes what they wrote,
--   and a writer that comes after a delete sees the account gone. (The application runs in READ
--   COMMITTED, where each statement of these functions reads what was committed before it.)
-- Deleting an account or a tag removes its account_tags rows, set-based, as ON DELETE CASCADE did;
-- account and tag ids cannot change, as the foreign keys' NO ACTION made sure.
ALTER TABLE "account_tags" DROP CONSTRAINT "account_tags_account_id_accounts_id_fk";
--> statement-breakpoint
ALTER TABLE "account_tags" DROP CONSTRAINT "account_tags_tag_id_tags_id_fk";
--> statement-breakpoint
CREATE OR REPLACE FUNCTION account_tags_same_organisation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tag_ids uuid[];
  found bigint;
  org record;
BEGIN
  SELECT array_agg(DISTINCT tag_id) INTO tag_ids FROM written;
  IF tag_ids IS NULL THEN
    RETURN NULL;
  END IF;
  WITH locked AS (SELECT t.id FROM tags t WHERE t.id = ANY (tag_ids) FOR KEY SHARE OF t)
  SELECT count(*) INTO found FROM locked;
  IF found <> cardinality(tag_ids) THEN
    RAISE EXCEPTION 'an account can only carry a tag that exists' USING ERRCODE = 'foreign_key_violation';
  END IF;
  FOR org IN
    SELECT t.organisation_id AS id, array_agg(t.id) AS tag_ids FROM tags t WHERE t.id = ANY (tag_ids) GROUP BY t.organisation_id ORDER BY t.organisation_id
  LOOP
    PERFORM pg_advisory_xact_lock_shared(22101, hashtext(org.id::text));
    IF EXISTS (
      SELECT 1 FROM written w
      WHERE w.tag_id = ANY (org.tag_ids)
        AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.organisation_id = org.id AND a.id = w.account_id)
    ) THEN
      RAISE EXCEPTION 'an account can only carry tags of its own organisation' USING ERRCODE = 'foreign_key_violation';
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION account_tags_follow_deleted_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(22101, hashtext(o.organisation_id::text))
  FROM (SELECT DISTINCT organisation_id FROM gone ORDER BY organisation_id) o;
  DELETE FROM account_tags at USING gone g WHERE at.account_id = g.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER account_tags_follow_deleted_accounts AFTER DELETE ON accounts
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION account_tags_follow_deleted_accounts();
--> statement-breakpoint
CREATE FUNCTION account_tags_follow_deleted_tags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM account_tags at USING gone g WHERE at.tag_id = g.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER account_tags_follow_deleted_tags AFTER DELETE ON tags
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION account_tags_follow_deleted_tags();
--> statement-breakpoint
CREATE TRIGGER accounts_keep_id BEFORE UPDATE OF id ON accounts
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_id_change();
--> statement-breakpoint
CREATE TRIGGER tags_keep_id BEFORE UPDATE OF id ON tags
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_id_change();
