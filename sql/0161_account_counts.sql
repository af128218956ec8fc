-- How many accounts each organisation has in each group (group_id null: no group), kept by
-- statement-level triggers on accounts, so View Accounts reads its count from a few rows instead
-- of counting 100k accounts on every page.
--
-- Each backend adds to rows of its own (shard = its process id): two transactions running at once
-- never write the same row. That matters beyond speed: an import applies two chunks at once, on two
-- connections, and the later one waits (in the job, where Postgres cannot see it) for the earlier
-- one to commit; a counter row shared by both would leave them waiting on each other for ever.
-- Rows of finished backends are folded into shard 0 by a daily job (account_counts_fold, below).
CREATE TABLE "account_counts" (
	"organisation_id" uuid NOT NULL,
	"group_id" uuid,
	"shard" integer NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "account_counts_key" UNIQUE NULLS NOT DISTINCT ("organisation_id", "group_id", "shard")
);
--> statement-breakpoint
CREATE FUNCTION account_counts_add_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO account_counts AS c (organisation_id, group_id, shard, n)
  SELECT w.organisation_id, w.group_id, pg_backend_pid(), count(*) FROM written w GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (organisation_id, group_id, shard) DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER account_counts_on_insert AFTER INSERT ON accounts
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION account_counts_add_inserted();
--> statement-breakpoint
CREATE FUNCTION account_counts_subtract_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO account_counts AS c (organisation_id, group_id, shard, n)
  SELECT g.organisation_id, g.group_id, pg_backend_pid(), -count(*) FROM gone g GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (organisation_id, group_id, shard) DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER account_counts_on_delete AFTER DELETE ON accounts
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION account_counts_subtract_deleted();
--> statement-breakpoint
-- Only rows whose group (or organisation) changed move a count; signing in writes nothing here.
CREATE FUNCTION account_counts_move_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO account_counts AS c (organisation_id, group_id, shard, n)
  SELECT m.organisation_id, m.group_id, pg_backend_pid(), sum(m.d) FROM (
    SELECT b.organisation_id, b.group_id, -1 AS d FROM before b JOIN written w ON w.id = b.id
    WHERE w.group_id IS DISTINCT FROM b.group_id OR w.organisation_id <> b.organisation_id
    UNION ALL
    SELECT w.organisation_id, w.group_id, 1 AS d FROM before b JOIN written w ON w.id = b.id
    WHERE w.group_id IS DISTINCT FROM b.group_id OR w.organisation_id <> b.organisation_id) m
  GROUP BY 1, 2 HAVING sum(m.d) <> 0 ORDER BY 1, 2
  ON CONFLICT (organisation_id, group_id, shard) DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER account_counts_on_update AFTER UPDATE ON accounts
  REFERENCING OLD TABLE AS before NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION account_counts_move_updated();
--> statement-breakpoint
-- Folds the other backends' rows into shard 0 and drops those of deleted organisations. Rows a
-- running transaction holds are skipped (SKIP LOCKED) and folded next time; the fold never waits
-- for a writer, and a writer waits at most for the fold's own short transaction.
CREATE FUNCTION account_counts_fold() RETURNS void LANGUAGE sql AS $$
  WITH taken AS (
    DELETE FROM account_counts c
    WHERE c.ctid IN (SELECT x.ctid FROM account_counts x WHERE x.shard <> 0 FOR UPDATE SKIP LOCKED)
    RETURNING c.organisation_id, c.group_id, c.n)
  INSERT INTO account_counts AS c (organisation_id, group_id, shard, n)
  SELECT t.organisation_id, t.group_id, 0, sum(t.n) FROM taken t GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (organisation_id, group_id, shard) DO UPDATE SET n = c.n + excluded.n;
  DELETE FROM account_counts c WHERE NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = c.organisation_id);
$$;
--> statement-breakpoint
INSERT INTO account_counts (organisation_id, group_id, shard, n)
SELECT organisation_id, group_id, 0, count(*) FROM accounts GROUP BY 1, 2;
