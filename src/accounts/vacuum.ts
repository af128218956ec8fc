import { sql } from 'drizzle-orm';
import type { Services } from '../context.js';
import { addJobSql } from '../jobs.js';

// View Accounts counts and walks its indexes alone only where the visibility map marks a page as
// visible to every transaction; every row on a page not marked costs a visit to the table. Right
// after a 100k import a group-and-tag count visited 100k rows (64 ms instead of 8 ms), and
// autovacuum comes to inserted rows only once they are a fifth of the table (400k among 2M
// accounts). So bulk writers have the pages they wrote marked: in the rests of an import's apply,
// and by a job once an import or a bulk action has finished.

/**
 * Marks the pages of accounts and account tags inserted since the last vacuum. Only pages not
 * marked yet are read (5k new accounts: under 10 ms; 100k: about 140 ms) and the indexes are left
 * alone (INDEX_CLEANUP OFF), so it is cheap enough between an import's chunks. A vacuum already
 * running on either table is not waited for (SKIP_LOCKED). Outside any transaction.
 */
export async function markNewAccountPagesVisible(services: Pick<Services, 'sql'>): Promise<void> {
  await services.sql`vacuum (index_cleanup off, skip_locked) accounts, account_tags`;
}

/**
 * The vacuum_written_accounts job: an ordinary vacuum of accounts and account tags, which besides
 * marking inserted pages also clears the rows that updates and deletes left behind from the
 * indexes (when there are enough of them), so those pages are marked too; and their statistics
 * read again, so plans follow what the bulk write changed (a group that grew by 100k accounts).
 */
export async function vacuumWrittenAccounts(services: Pick<Services, 'sql'>): Promise<void> {
  await services.sql`vacuum (analyze, skip_locked) accounts, account_tags`;
}

/** Fewer written accounts than this leave few pages unmarked: autovacuum's ordinary pace is enough. */
export const VACUUM_AFTER_WRITTEN_ACCOUNTS = 1000;

/**
 * Queues vacuum_written_accounts in the transaction of a bulk write (an import, a bulk action).
 * Writes close together share one run: the job waits a few seconds, and queueing it again moves it
 * on (one job key).
 */
export function queueVacuumWrittenAccountsSql() {
  return addJobSql(
    'vacuum_written_accounts',
    {},
    { jobKey: 'vacuum_written_accounts', runAt: sql`now() + interval '5 seconds'`, maxAttempts: 3 },
  );
}
