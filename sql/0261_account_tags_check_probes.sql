-- account_tags' statement-level check (0242), same rules and locks; the written rows are looked up
-- one by one in the (organisation_id, id) index when they are fewer than half the organisation's
-- accounts (kept in account_counts, sql/0161), and hashed against them otherwise. An import adds
-- tags a chunk at a time (1,667 rows of a 100k file's 5,000-row chunk): the hash anti-join read
-- every account of the organisation for each chunk (45-62 ms at 25k-45k accounts, growing with
-- the organisation), where 1,667 lookups take a few ms. Add tag on a whole organisation still
-- hashes, as 0242 made it.
CREATE OR REPLACE FUNCTION account_tags_same_organisation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tag_ids uuid[];
  found bigint;
  strays bigint;
  org record;
  orgs int;
  written_rows bigint;
  org_accounts bigint;
BEGIN
  SELECT array_agg(d.tag_id) INTO tag_ids FROM (SELECT DISTINCT tag_id FROM written) d;
  IF tag_ids IS NULL THEN
    RETURN NULL;
  END IF;
  WITH locked AS (SELECT t.id FROM tags t WHERE t.id = ANY (tag_ids) FOR KEY SHARE OF t)
  SELECT count(*) INTO found FROM locked;
  IF found <> cardinality(tag_ids) THEN
    RAISE EXCEPTION 'an account can only carry a tag that exists' USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT count(DISTINCT t.organisation_id) INTO orgs FROM tags t WHERE t.id = ANY (tag_ids);
  FOR org IN
    SELECT t.organisation_id AS id, array_agg(t.id) AS tag_ids FROM tags t WHERE t.id = ANY (tag_ids) GROUP BY t.organisation_id ORDER BY t.organisation_id
  LOOP
    PERFORM pg_advisory_xact_lock_shared(22101, hashtext(org.id::text));
    IF orgs = 1 THEN
      SELECT count(*) INTO written_rows FROM written;
      SELECT coalesce(sum(c.n), 0) INTO org_accounts FROM account_counts c WHERE c.organisation_id = org.id;
      IF written_rows * 2 < org_accounts THEN
        -- Few rows for the organisation's size: each is looked up (OFFSET 0 keeps the lookup a
        -- subplan per row, whatever the planner believes the organisation's size to be).
        SELECT count(*) INTO strays FROM written w
        WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.organisation_id = org.id AND a.id = w.account_id OFFSET 0);
      ELSE
        SELECT count(*) INTO strays FROM written w
        WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.organisation_id = org.id AND a.id = w.account_id);
      END IF;
    ELSE
      SELECT count(*) INTO strays FROM written w
      WHERE w.tag_id = ANY (org.tag_ids)
        AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.organisation_id = org.id AND a.id = w.account_id);
    END IF;
    IF strays > 0 THEN
      RAISE EXCEPTION 'an account can only carry tags of its own organisation' USING ERRCODE = 'foreign_key_violation';
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
