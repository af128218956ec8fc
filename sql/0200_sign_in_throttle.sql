-- The sign-in throttle (src/auth/sign-in.ts), replacing sign_in_failures (keyed on one address).
-- One row per counter: "pair:<email> <address>", "address:<address>" or "account:<email>" (the email
-- as typed, lower-cased, whether or not an account has it, so the counters reveal nothing).
-- failures: failures since the row's quiet period last ran out (a failure more than the window after
-- the previous one starts again at 1). locked_until: refused until then. known_until (pair rows
-- only): the account signed in from this address, so the account-wide slowdown does not apply there.
-- expires_at: when nothing in the row matters any more; rows past it are pruned in small batches.
DROP TABLE "sign_in_failures";
--> statement-breakpoint
CREATE TABLE "sign_in_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_failure_at" timestamp with time zone,
	"locked_until" timestamp with time zone,
	"known_until" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "sign_in_throttle_expires_idx" ON "sign_in_throttle" ("expires_at");
