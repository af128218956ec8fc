-- An account's page names, for each assignment, the import whose preset made it: a lookup of the
-- import batch by its assignment request, once per assignment. Without this index each lookup
-- read every import batch of the organisation (Classroom syncs add a small batch whenever students
-- join, so a school gathers thousands): 50 assignments × 20k batches took 0.2 s; now an index probe.
CREATE INDEX "import_batches_assignment_request_idx" ON "import_batches" USING btree ("assignment_request_id")
  WHERE "assignment_request_id" IS NOT NULL;
