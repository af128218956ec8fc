CREATE TYPE "public"."assignment_mode" AS ENUM('subscription', 'manual');--> statement-breakpoint
CREATE TYPE "public"."assignment_request_mode" AS ENUM('assign', 'reassign', 'renew');--> statement-breakpoint
CREATE TYPE "public"."assignment_request_status" AS ENUM('queued', 'running', 'finished', 'failed');--> statement-breakpoint
CREATE TYPE "public"."unit_status" AS ENUM('not_started', 'in_progress', 'completed');--> statement-breakpoint
CREATE TABLE "assignment_outcomes" (
	"request_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	CONSTRAINT "assignment_outcomes_request_id_account_id_product_id_pk" PRIMARY KEY("request_id","account_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "assignment_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"created_by" uuid,
	"origin" text DEFAULT 'accounts' NOT NULL,
	"mode" "assignment_request_mode" DEFAULT 'assign' NOT NULL,
	"preset_id" uuid,
	"preset_name" text,
	"items" jsonb NOT NULL,
	"account_ids" uuid[] NOT NULL,
	"notify_actor" boolean DEFAULT true NOT NULL,
	"status" "assignment_request_status" DEFAULT 'queued' NOT NULL,
	"assigned_count" integer DEFAULT 0 NOT NULL,
	"skipped_count" integer DEFAULT 0 NOT NULL,
	"credits_spent" integer DEFAULT 0 NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "assignments" (
	"account_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"mode" "assignment_mode" NOT NULL,
	"edition" text NOT NULL,
	"unit_ids" uuid[],
	"starts_on" date NOT NULL,
	"ends_on" date,
	"request_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assignments_account_id_product_id_pk" PRIMARY KEY("account_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "credit_ledger" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organisation_id" uuid NOT NULL,
	"delta" integer NOT NULL,
	"reason" text NOT NULL,
	"request_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_ledger_delta_not_zero" CHECK ("credit_ledger"."delta" <> 0)
);
--> statement-breakpoint
CREATE TABLE "preset_assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"name" text NOT NULL,
	"items" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "product_units" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"product_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"credit_cost" integer DEFAULT 1 NOT NULL,
	"editions" text[] DEFAULT '{standard,enhanced}'::text[] NOT NULL,
	"subscription_months" integer[] DEFAULT '{3,6,12}'::int[] NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "products_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "unit_assignments" (
	"account_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"status" "unit_status" DEFAULT 'not_started' NOT NULL,
	"progress" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"completed_at" timestamp with time zone,
	"attempt" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "unit_assignments_account_id_product_id_unit_id_pk" PRIMARY KEY("account_id","product_id","unit_id")
);
--> statement-breakpoint
CREATE TABLE "unit_attempt_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"status" "unit_status" NOT NULL,
	"progress" jsonb NOT NULL,
	"completed_at" timestamp with time zone,
	"request_id" uuid,
	"archived_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "assignment_outcomes" ADD CONSTRAINT "assignment_outcomes_request_id_assignment_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."assignment_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment_requests" ADD CONSTRAINT "assignment_requests_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment_requests" ADD CONSTRAINT "assignment_requests_created_by_accounts_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment_requests" ADD CONSTRAINT "assignment_requests_preset_id_preset_assignments_id_fk" FOREIGN KEY ("preset_id") REFERENCES "public"."preset_assignments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_request_id_assignment_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."assignment_requests"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_ledger" ADD CONSTRAINT "credit_ledger_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_ledger" ADD CONSTRAINT "credit_ledger_request_id_assignment_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."assignment_requests"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preset_assignments" ADD CONSTRAINT "preset_assignments_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preset_assignments" ADD CONSTRAINT "preset_assignments_created_by_accounts_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_units" ADD CONSTRAINT "product_units_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_assignments" ADD CONSTRAINT "unit_assignments_unit_id_product_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."product_units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_assignments" ADD CONSTRAINT "unit_assignments_account_id_product_id_assignments_account_id_product_id_fk" FOREIGN KEY ("account_id","product_id") REFERENCES "public"."assignments"("account_id","product_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_attempt_history" ADD CONSTRAINT "unit_attempt_history_request_id_assignment_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."assignment_requests"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assignment_requests_organisation_created_idx" ON "assignment_requests" USING btree ("organisation_id","created_at");--> statement-breakpoint
CREATE INDEX "assignments_request_idx" ON "assignments" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "credit_ledger_organisation_idx" ON "credit_ledger" USING btree ("organisation_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_ledger_request_key" ON "credit_ledger" USING btree ("request_id") WHERE "credit_ledger"."request_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "preset_assignments_organisation_name_key" ON "preset_assignments" USING btree ("organisation_id",lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "product_units_product_position_key" ON "product_units" USING btree ("product_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "unit_attempt_history_attempt_key" ON "unit_attempt_history" USING btree ("account_id","product_id","unit_id","attempt");