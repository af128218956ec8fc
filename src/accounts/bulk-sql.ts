import { sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../context.js';
import type { AccountActionKind } from './account-actions-sql.js';

export interface BulkActionRow extends Record<string, unknown> {
  id: string;
  action: AccountActionKind;
  tag_id: string | null;
  group_id: string | null;
  target_name: string | null;
  status: 'queued' | 'running' | 'finished' | 'failed';
  accounts: number;
  changed_count: number;
  skipped_count: number;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

/**
 * Freezes the accounts a selection stands for into a new bulk_actions row, in one statement:
 * `chosen` is `select a.id from accounts a where ...` already scoped to the actor.
 */
export function insertBulkActionSql(
  actor: Actor,
  chosen: SQL,
  input: { action: AccountActionKind; tagId: string | null; groupId: string | null; targetName: string | null },
): SQL {
  return sql`
    insert into bulk_actions (organisation_id, created_by, action, tag_id, group_id, target_name, account_ids)
    select ${actor.organisationId}, ${actor.id}, ${input.action}, ${input.tagId}, ${input.groupId}, ${input.targetName},
      coalesce((select array_agg(c.id) from (${chosen}) c), '{}')
    returning id, cardinality(account_ids)::int as accounts`;
}

/** The frozen accounts of a bulk action as a temporary table the planner can count. */
export function stageBulkTargetsSql(bulkActionId: string): SQL {
  return sql`create temp table bulk_targets on commit drop as select unnest(account_ids) as id from bulk_actions where id = ${bulkActionId}`;
}

/** Bulk actions the actor may read: a system administrator, all of the organisation's; others, their own. */
export function bulkActionScopeSql(actor: Actor): SQL {
  return actor.isSystemAdmin
    ? sql`b.organisation_id = ${actor.organisationId}`
    : sql`b.organisation_id = ${actor.organisationId} and b.created_by = ${actor.id}`;
}

/** Never `b.*`: account_ids (100k uuids) would travel to Node and be parsed there, for nothing. */
const BULK_ACTION_COLUMNS = sql`b.id, b.action, b.tag_id, b.group_id, b.target_name, b.status, cardinality(b.account_ids)::int as accounts,
  b.changed_count, b.skipped_count, b.error, b.created_at, b.finished_at`;

export function selectBulkActionSql(where: SQL): SQL {
  return sql`select ${BULK_ACTION_COLUMNS} from bulk_actions b where ${where}`;
}

/** The run_bulk_action job's row, locked against a second run of the same action. */
export function lockBulkActionSql(bulkActionId: string): SQL {
  return sql`
    select ${BULK_ACTION_COLUMNS}, b.organisation_id, b.created_by
    from bulk_actions b where b.id = ${bulkActionId} for no key update`;
}
