ALTER TABLE "assignments" DROP CONSTRAINT "assignments_account_id_accounts_id_fk";
--> statement-breakpoint
ALTER TABLE "assignments" DROP CONSTRAINT "assignments_product_id_products_id_fk";
--> statement-breakpoint
ALTER TABLE "assignments" DROP CONSTRAINT "assignments_organisation_id_organisations_id_fk";
--> statement-breakpoint
ALTER TABLE "assignments" DROP CONSTRAINT "assignments_request_id_assignment_requests_id_fk";
--> statement-breakpoint
DROP INDEX "assignments_request_idx";