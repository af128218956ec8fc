CREATE TYPE "public"."import_outcome" AS ENUM('pending', 'create', 'update', 'keep', 'skip');--> statement-breakpoint
CREATE TYPE "public"."import_source" AS ENUM('csv', 'classroom');--> statement-breakpoint
CREATE TYPE "public"."import_status" AS ENUM('draft', 'checked', 'queued', 'running', 'finished', 'failed');--> statement-breakpoint
CREATE TABLE "import_batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"created_by" uuid,
	"source" "import_source" NOT NULL,
	"status" "import_status" DEFAULT 'draft' NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"shared_password_hash" text,
	"source_state" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"file_text" text,
	"total_rows" integer DEFAULT 0 NOT NULL,
	"to_create" integer DEFAULT 0 NOT NULL,
	"to_update" integer DEFAULT 0 NOT NULL,
	"to_keep" integer DEFAULT 0 NOT NULL,
	"to_skip" integer DEFAULT 0 NOT NULL,
	"passwords_to_hash" integer DEFAULT 0 NOT NULL,
	"passwords_hashed" integer DEFAULT 0 NOT NULL,
	"processed_rows" integer DEFAULT 0 NOT NULL,
	"created_count" integer DEFAULT 0 NOT NULL,
	"updated_count" integer DEFAULT 0 NOT NULL,
	"kept_count" integer DEFAULT 0 NOT NULL,
	"skipped_count" integer DEFAULT 0 NOT NULL,
	"assignment_request_id" uuid,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"checked_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "import_rows" (
	"batch_id" uuid NOT NULL,
	"row_number" integer NOT NULL,
	"first_name" text DEFAULT '' NOT NULL,
	"last_name" text DEFAULT '' NOT NULL,
	"email" text DEFAULT '' NOT NULL,
	"password" text,
	"password_hash" text,
	"group_name" text,
	"tag_names" text[] DEFAULT '{}'::text[] NOT NULL,
	"google_user_id" text,
	"problem" text,
	"group_id" uuid,
	"tag_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"outcome" "import_outcome" DEFAULT 'pending' NOT NULL,
	"reason" text,
	"account_id" uuid,
	"applied" boolean DEFAULT false NOT NULL,
	CONSTRAINT "import_rows_batch_id_row_number_pk" PRIMARY KEY("batch_id","row_number")
);
--> statement-breakpoint
ALTER TABLE "import_batches" ADD CONSTRAINT "import_batches_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_batches" ADD CONSTRAINT "import_batches_created_by_accounts_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_rows" ADD CONSTRAINT "import_rows_batch_id_import_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."import_batches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_rows" ADD CONSTRAINT "import_rows_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_batches_organisation_created_idx" ON "import_batches" USING btree ("organisation_id","created_at");--> statement-breakpoint
CREATE INDEX "import_rows_batch_outcome_idx" ON "import_rows" USING btree ("batch_id","outcome","row_number");