-- An account and the tags on it always belong to the same organisation. Checked once per
-- statement over the rows it wrote (a 100k-row import pays one join, not 100k lookups), so
-- counts by tag can be read from account_tags alone.
CREATE FUNCTION account_tags_same_organisation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM written w
    JOIN accounts a ON a.id = w.account_id
    JOIN tags t ON t.id = w.tag_id
    WHERE a.organisation_id <> t.organisation_id
  ) THEN
    RAISE EXCEPTION 'an account can only carry tags of its own organisation' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER account_tags_same_organisation_on_insert AFTER INSERT ON account_tags
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION account_tags_same_organisation();
--> statement-breakpoint
CREATE TRIGGER account_tags_same_organisation_on_update AFTER UPDATE ON account_tags
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION account_tags_same_organisation();
