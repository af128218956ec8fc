import { sql, type SQL } from 'drizzle-orm';
import type { Actor, Services } from '../context.js';
import type { AccountFilter } from './filter.js';
import { toUuidArray } from './scope.js';

/**
 * The count of the accounts an administrator sees, from the per-group counts the database keeps
 * (sql/0161), when the filter is by group at most. A few rows instead of every account; exact, as
 * the counts change in the same transactions as the accounts. Null when the filter needs the
 * accounts themselves (a search, a tag or active/deactivated), or the actor is not an administrator.
 */
export function keptCountSql(actor: Actor, filter: AccountFilter): SQL | null {
  if (filter.q || filter.tagId || filter.status || actor.kind !== 'administrator') return null;
  const parts: SQL[] = [sql`c.organisation_id = ${actor.organisationId}`];
  if (!actor.isSystemAdmin) parts.push(sql`c.group_id = any(${toUuidArray(actor.managedGroupIds)})`);
  if (filter.groupId) parts.push(sql`c.group_id = ${filter.groupId}`);
  return sql`select coalesce(sum(c.n), 0)::int as n from account_counts c where ${sql.join(parts, sql` and `)}`;
}

/** Daily: the counts written by backends that have finished, folded into one row per group. */
export async function foldAccountCounts(services: Pick<Services, 'db'>): Promise<void> {
  await services.db.execute(sql`select account_counts_fold()`);
}
