import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The job runners' graphile-worker ids and when each last said it was alive (worker/recovery.ts).
 * A job locked by a worker that stopped beating was left by a killed process: its lock is
 * released so another runner takes the job within minutes, not after graphile-worker's 4-hour
 * lock timeout.
 */
export const workerHeartbeats = pgTable('worker_heartbeats', {
  workerId: text('worker_id').primaryKey(),
  seenAt: timestamp('seen_at', { withTimezone: true }).notNull().defaultNow(),
});
