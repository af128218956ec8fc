ALTER TABLE "accounts" DROP CONSTRAINT "accounts_organisation_id_organisations_id_fk";
--> statement-breakpoint
ALTER TABLE "accounts" DROP CONSTRAINT "accounts_group_id_groups_id_fk";
--> statement-breakpoint
-- accounts.organisation_id and accounts.group_id, checked a statement at a time (see
-- src/db/schema/core.ts): the rows a statement wrote must name an existing organisation, and a
-- group (when set) of that same organisation. The rows they name are locked FOR KEY SHARE, as a
-- foreign key's check locks them, so a delete running at the same time waits for this
-- transaction, and a delete that came first makes the check fail. The statement's distinct
-- references are few (one organisation and a group or two for a 100k-row import), so each is
-- one index probe.
CREATE FUNCTION accounts_assert_references(organisation_ids uuid[], group_ids uuid[], group_organisation_ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  found bigint;
BEGIN
  WITH locked AS (SELECT o.id FROM organisations o WHERE o.id = ANY (organisation_ids) FOR KEY SHARE OF o)
  SELECT count(*) INTO found FROM locked;
  IF found <> coalesce(cardinality(organisation_ids), 0) THEN
    RAISE EXCEPTION 'an account must belong to an existing organisation' USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF coalesce(cardinality(group_ids), 0) > 0 THEN
    WITH locked AS (
      SELECT g.id FROM unnest(group_ids, group_organisation_ids) AS w(group_id, organisation_id)
      JOIN groups g ON g.id = w.group_id AND g.organisation_id = w.organisation_id
      FOR KEY SHARE OF g)
    SELECT count(*) INTO found FROM locked;
    IF found <> cardinality(group_ids) THEN
      RAISE EXCEPTION 'an account''s group must be an existing group of its organisation' USING ERRCODE = 'foreign_key_violation';
    END IF;
  END IF;
END $$;
--> statement-breakpoint
CREATE FUNCTION accounts_check_inserted_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  organisation_ids uuid[];
  group_ids uuid[];
  group_organisation_ids uuid[];
BEGIN
  SELECT array_agg(DISTINCT organisation_id) INTO organisation_ids FROM written;
  SELECT array_agg(d.group_id), array_agg(d.organisation_id) INTO group_ids, group_organisation_ids
  FROM (SELECT DISTINCT group_id, organisation_id FROM written WHERE group_id IS NOT NULL) d;
  PERFORM accounts_assert_references(organisation_ids, group_ids, group_organisation_ids);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER accounts_check_references_on_insert AFTER INSERT ON accounts
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION accounts_check_inserted_references();
--> statement-breakpoint
-- On update, like a foreign key, only the rows whose organisation or group changed are checked
-- (and lock what they name): signing in or changing a password locks nothing.
CREATE FUNCTION accounts_check_updated_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  organisation_ids uuid[];
  group_ids uuid[];
  group_organisation_ids uuid[];
BEGIN
  SELECT array_agg(DISTINCT w.organisation_id) FILTER (WHERE w.organisation_id <> b.organisation_id) INTO organisation_ids
  FROM written w JOIN before b ON b.id = w.id;
  SELECT array_agg(d.group_id), array_agg(d.organisation_id) INTO group_ids, group_organisation_ids
  FROM (
    SELECT DISTINCT w.group_id, w.organisation_id FROM written w JOIN before b ON b.id = w.id
    WHERE w.group_id IS NOT NULL AND (w.group_id IS DISTINCT FROM b.group_id OR w.organisation_id <> b.organisation_id)) d;
  IF organisation_ids IS NOT NULL OR group_ids IS NOT NULL THEN
    PERFORM accounts_assert_references(organisation_ids, group_ids, group_organisation_ids);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER accounts_check_references_on_update AFTER UPDATE ON accounts
  REFERENCING OLD TABLE AS before NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION accounts_check_updated_references();
--> statement-breakpoint
-- What the foreign keys did on delete: an organisation's accounts go with it; a deleted group's
-- accounts stay, without a group (those of an organisation being deleted go with it instead).
CREATE FUNCTION accounts_follow_deleted_organisations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM accounts a USING gone g WHERE a.organisation_id = g.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER accounts_follow_deleted_organisations AFTER DELETE ON organisations
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION accounts_follow_deleted_organisations();
--> statement-breakpoint
CREATE FUNCTION accounts_follow_deleted_groups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE accounts a SET group_id = NULL
  FROM gone g
  WHERE a.organisation_id = g.organisation_id AND a.group_id = g.id
    AND EXISTS (SELECT 1 FROM organisations o WHERE o.id = a.organisation_id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER accounts_follow_deleted_groups AFTER DELETE ON groups
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION accounts_follow_deleted_groups();
--> statement-breakpoint
-- A foreign key also refused to change a referenced id; organisations and groups keep theirs.
CREATE FUNCTION refuse_id_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the id of a row of % cannot change', TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
END $$;
--> statement-breakpoint
CREATE TRIGGER organisations_keep_id BEFORE UPDATE OF id ON organisations
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_id_change();
--> statement-breakpoint
CREATE TRIGGER groups_keep_id BEFORE UPDATE OF id ON groups
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_id_change();
