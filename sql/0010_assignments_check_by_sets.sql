-- The same guarantee as 0006 at a lower price: accounts are checked with one anti-join, while
-- products and requests are checked once per distinct value rather than once per row.
CREATE OR REPLACE FUNCTION assignments_check_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM written w
    WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = w.account_id AND a.organisation_id = w.organisation_id)
  ) OR EXISTS (
    SELECT 1 FROM (SELECT DISTINCT product_id FROM written) w
    WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = w.product_id)
  ) OR EXISTS (
    SELECT 1 FROM (SELECT DISTINCT request_id, organisation_id FROM written WHERE request_id IS NOT NULL) w
    WHERE NOT EXISTS (SELECT 1 FROM assignment_requests r WHERE r.id = w.request_id AND r.organisation_id = w.organisation_id)
  ) THEN
    RAISE EXCEPTION 'an assignment must name an account of its organisation, a product and its request'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
