ALTER TABLE "import_batches" ADD COLUMN "new_tags" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "import_batches" ADD COLUMN "new_groups" jsonb DEFAULT '[]'::jsonb NOT NULL;
