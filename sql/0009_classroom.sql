CREATE TABLE "classroom_course_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"owner_id" uuid NOT NULL,
	"google_course_id" text NOT NULL,
	"course_name" text NOT NULL,
	"section" text,
	"group_id" uuid,
	"tag_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"default_password_encrypted" text,
	"preset_id" uuid,
	"import_batch_id" uuid,
	"sync_state" text DEFAULT 'ok' NOT NULL,
	"sync_message" text,
	"held_plan" jsonb,
	"last_synced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "classroom_course_links_sync_state_check" CHECK ("classroom_course_links"."sync_state" in ('ok', 'held', 'failed', 'needs_reconnecting', 'waiting_for_import'))
);
--> statement-breakpoint
CREATE TABLE "classroom_link_members" (
	"link_id" uuid NOT NULL,
	"google_user_id" text NOT NULL,
	"account_id" uuid NOT NULL,
	"removed" boolean DEFAULT false NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	CONSTRAINT "classroom_link_members_link_id_google_user_id_pk" PRIMARY KEY("link_id","google_user_id")
);
--> statement-breakpoint
CREATE TABLE "classroom_sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"link_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"outcome" text NOT NULL,
	"added" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"removed" integer DEFAULT 0 NOT NULL,
	"restored" integer DEFAULT 0 NOT NULL,
	"runs" integer DEFAULT 1 NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"message" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "google_connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"google_user_id" text NOT NULL,
	"google_email" text NOT NULL,
	"refresh_token_encrypted" text NOT NULL,
	"scopes" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"status_message" text,
	"connected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "google_connections_status_check" CHECK ("google_connections"."status" in ('active', 'needs_reconnecting'))
);
--> statement-breakpoint
CREATE TABLE "google_sandbox_courses" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"section" text,
	"owner_id" text NOT NULL,
	"course_state" text DEFAULT 'ACTIVE' NOT NULL,
	"position" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "google_sandbox_enrolments" (
	"course_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "google_sandbox_enrolments_course_id_role_user_id_pk" PRIMARY KEY("course_id","role","user_id")
);
--> statement-breakpoint
CREATE TABLE "google_sandbox_grants" (
	"hash" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"user_id" text NOT NULL,
	"client_id" text NOT NULL,
	"scopes" text[] NOT NULL,
	"redirect_uri" text,
	"code_challenge" text,
	"nonce" text,
	"from_code" text,
	"used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "google_sandbox_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"signing_key" jsonb,
	"public_key_pem" text,
	"key_id" text,
	"fault_status" integer,
	"fault_until" timestamp with time zone,
	"api_disabled" boolean DEFAULT false NOT NULL,
	"seeded_at" timestamp with time zone DEFAULT now()
);
--> statement-breakpoint
CREATE TABLE "google_sandbox_users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"given_name" text NOT NULL,
	"family_name" text NOT NULL,
	"email_hidden" boolean DEFAULT false NOT NULL,
	"sign_in_choice" boolean DEFAULT false NOT NULL,
	"note" text
);
--> statement-breakpoint
ALTER TABLE "classroom_course_links" ADD CONSTRAINT "classroom_course_links_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "classroom_course_links" ADD CONSTRAINT "classroom_course_links_owner_id_accounts_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "classroom_course_links" ADD CONSTRAINT "classroom_course_links_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "classroom_course_links" ADD CONSTRAINT "classroom_course_links_preset_id_preset_assignments_id_fk" FOREIGN KEY ("preset_id") REFERENCES "public"."preset_assignments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "classroom_link_members" ADD CONSTRAINT "classroom_link_members_link_id_classroom_course_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."classroom_course_links"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "classroom_link_members" ADD CONSTRAINT "classroom_link_members_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "classroom_sync_runs" ADD CONSTRAINT "classroom_sync_runs_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "classroom_sync_runs" ADD CONSTRAINT "classroom_sync_runs_link_id_classroom_course_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."classroom_course_links"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "google_connections" ADD CONSTRAINT "google_connections_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "google_connections" ADD CONSTRAINT "google_connections_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "google_sandbox_enrolments" ADD CONSTRAINT "google_sandbox_enrolments_course_id_google_sandbox_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."google_sandbox_courses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "google_sandbox_enrolments" ADD CONSTRAINT "google_sandbox_enrolments_user_id_google_sandbox_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."google_sandbox_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "classroom_course_links_course_key" ON "classroom_course_links" USING btree ("organisation_id","google_course_id");--> statement-breakpoint
CREATE INDEX "classroom_course_links_owner_idx" ON "classroom_course_links" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "classroom_link_members_account_idx" ON "classroom_link_members" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "classroom_sync_runs_link_idx" ON "classroom_sync_runs" USING btree ("link_id","finished_at");--> statement-breakpoint
CREATE UNIQUE INDEX "google_connections_account_key" ON "google_connections" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "google_connections_organisation_google_user_key" ON "google_connections" USING btree ("organisation_id","google_user_id");--> statement-breakpoint
CREATE INDEX "google_sandbox_courses_owner_idx" ON "google_sandbox_courses" USING btree ("owner_id","position");--> statement-breakpoint
CREATE INDEX "google_sandbox_enrolments_user_idx" ON "google_sandbox_enrolments" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "google_sandbox_grants_from_code_idx" ON "google_sandbox_grants" USING btree ("from_code");