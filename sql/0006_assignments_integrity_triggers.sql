-- assignments carries no per-row foreign keys (see src/db/schema/assignments.ts): these
-- statement-level triggers give the same guarantees with one join per statement.

-- Every written row names an account of the same organisation, a product of the catalogue,
-- and (when set) an existing request of that organisation.
CREATE FUNCTION assignments_check_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM written w
    LEFT JOIN accounts a ON a.id = w.account_id AND a.organisation_id = w.organisation_id
    LEFT JOIN products p ON p.id = w.product_id
    LEFT JOIN assignment_requests r ON r.id = w.request_id AND r.organisation_id = w.organisation_id
    WHERE a.id IS NULL OR p.id IS NULL OR (w.request_id IS NOT NULL AND r.id IS NULL)
  ) THEN
    RAISE EXCEPTION 'an assignment must name an account of its organisation, a product and its request'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER assignments_check_on_insert AFTER INSERT ON assignments
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION assignments_check_written();
--> statement-breakpoint
CREATE TRIGGER assignments_check_on_update AFTER UPDATE ON assignments
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION assignments_check_written();
--> statement-breakpoint
-- An account's assignments go with it (and their unit work, by unit_assignments' foreign key).
CREATE FUNCTION assignments_follow_deleted_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM assignments x USING gone g WHERE x.account_id = g.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER assignments_follow_deleted_accounts AFTER DELETE ON accounts
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION assignments_follow_deleted_accounts();
--> statement-breakpoint
-- A product in use cannot be withdrawn from the catalogue.
CREATE FUNCTION products_keep_assigned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM assignments x JOIN gone g ON g.id = x.product_id) THEN
    RAISE EXCEPTION 'a product that is assigned cannot be deleted' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER products_keep_assigned AFTER DELETE ON products
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION products_keep_assigned();
