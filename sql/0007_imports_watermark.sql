DROP INDEX "import_rows_batch_outcome_idx";--> statement-breakpoint
ALTER TABLE "import_batches" ADD COLUMN "applied_through" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "import_rows" ADD COLUMN "new_account_id" uuid;