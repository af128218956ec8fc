import { sql } from 'drizzle-orm';
import type { Services } from '../context.js';

/** How long an import left half-way through the wizard is kept. */
export const ABANDONED_AFTER_HOURS = 48;

/**
 * Removes imports left in the wizard (they hold the uploaded file and any passwords typed in it)
 * and clears the file of imports that stopped. Finished imports keep their rows for the result page.
 */
export async function cleanUpImports(services: Pick<Services, 'db'>): Promise<{ removed: number }> {
  const removed = await services.db.execute<{ id: string }>(sql`
    delete from import_batches
    where status in ('draft', 'checked') and created_at < now() - make_interval(hours => ${ABANDONED_AFTER_HOURS})
    returning id`);
  await services.db.execute(sql`
    update import_rows r set password = null from import_batches b
    where b.id = r.batch_id and b.status in ('failed', 'finished') and r.password is not null`);
  await services.db.execute(
    sql`update import_batches set file_text = null where status in ('failed', 'finished') and file_text is not null`,
  );
  return { removed: removed.length };
}
