-- account_tags' statement-level check (0221), same rules and locks, cheaper over 100k written rows
-- (Add tag on a whole organisation, an import's tags): the distinct tags are found by hashing
-- instead of sorting every row, and when all of them belong to one organisation (always, from
-- the application) the written rows are checked against its accounts with one hash anti-join;
-- IF EXISTS planned a nested loop of 100k index probes, as it expects to stop at the first row.
CREATE OR REPLACE FUNCTION account_tags_same_organisation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tag_ids uuid[];
  found bigint;
  strays bigint;
  org record;
  orgs int;
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
      SELECT count(*) INTO strays FROM written w
      WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.organisation_id = org.id AND a.id = w.account_id);
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
