ALTER TABLE "import_rows" DROP CONSTRAINT "import_rows_batch_id_import_batches_id_fk";
--> statement-breakpoint
-- import_rows.batch_id, checked a statement at a time (see src/db/schema/imports.ts): a COPY of
-- 100k staged rows names one batch, which must exist; it is locked FOR KEY SHARE as a foreign
-- key's check would lock it.
CREATE FUNCTION import_rows_check_batches() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  batch_ids uuid[];
  found bigint;
BEGIN
  SELECT array_agg(DISTINCT batch_id) INTO batch_ids FROM written;
  WITH locked AS (SELECT b.id FROM import_batches b WHERE b.id = ANY (batch_ids) FOR KEY SHARE OF b)
  SELECT count(*) INTO found FROM locked;
  IF found <> coalesce(cardinality(batch_ids), 0) THEN
    RAISE EXCEPTION 'an import row must belong to an existing import' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER import_rows_check_batches_on_insert AFTER INSERT ON import_rows
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION import_rows_check_batches();
--> statement-breakpoint
CREATE FUNCTION import_rows_follow_deleted_batches() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM import_rows r USING gone g WHERE r.batch_id = g.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER import_rows_follow_deleted_batches AFTER DELETE ON import_batches
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION import_rows_follow_deleted_batches();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION refuse_id_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the % of a row of % cannot change', coalesce(TG_ARGV[0], 'id'), TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
END $$;
--> statement-breakpoint
CREATE TRIGGER import_batches_keep_id BEFORE UPDATE OF id ON import_batches
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_id_change();
--> statement-breakpoint
CREATE TRIGGER import_rows_keep_batch BEFORE UPDATE OF batch_id ON import_rows
  FOR EACH ROW WHEN (OLD.batch_id IS DISTINCT FROM NEW.batch_id) EXECUTE FUNCTION refuse_id_change('batch_id');
--> statement-breakpoint
-- The check rewrites every staged row once (its decision) and the run may again (a skip found
-- late, a hash): half of each page is left free so those updates stay on the row's page (HOT)
-- and write no index entry.
ALTER TABLE import_rows SET (fillfactor = 50);
