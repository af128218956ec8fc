import { sql, type SQL } from 'drizzle-orm';
import { HISTORY_ACTION_OF } from './account-actions-sql.js';

export interface AccountDetailsRow extends Record<string, unknown> {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  kind: 'user' | 'administrator';
  is_system_admin: boolean;
  group_id: string | null;
  group_name: string | null;
  tags: { id: string; name: string }[];
  google_user_id: string | null;
  source: string;
  created_at: Date;
  last_sign_in_at: Date | null;
  deactivated_at: Date | null;
}

/** One account (already known to be in scope by `where`) with its group and tags. */
export function accountDetailsSql(where: SQL): SQL {
  return sql`
    select a.id, a.first_name, a.last_name, a.email, a.kind, a.is_system_admin, a.group_id, g.name as group_name,
      coalesce((select json_agg(json_build_object('id', t.id, 'name', t.name) order by lower(t.name))
        from account_tags at join tags t on t.id = at.tag_id where at.account_id = a.id), '[]') as tags,
      a.google_user_id, a.source, a.created_at, a.last_sign_in_at, a.deactivated_at
    from accounts a left join groups g on g.id = a.group_id
    where ${where}`;
}

export interface AccountAssignmentRow extends Record<string, unknown> {
  product_name: string;
  edition: string;
  mode: 'subscription' | 'manual';
  starts_on: string;
  ends_on: string | null;
  unit_names: string[];
  units: number;
  completed: number;
  in_progress: number;
  created_at: Date;
  request_id: string | null;
  request_origin: string | null;
  preset_name: string | null;
  requested_by: string | null;
  import_batch_id: string | null;
}

/**
 * An account's assignments with their progress (units completed of those assigned) and the mass
 * assignment or import that made each. Read by the account's primary key prefix.
 */
export function accountAssignmentsSql(accountId: string, organisationId: string): SQL {
  return sql`
    select p.name as product_name, x.edition, x.mode, x.starts_on::text, x.ends_on::text, x.created_at,
      case when x.unit_ids is null then '{}'::text[]
        else (select array_agg(u.name order by u.position) from product_units u where u.product_id = x.product_id and u.id = any(x.unit_ids)) end as unit_names,
      coalesce(cardinality(x.unit_ids), (select count(*) from product_units u where u.product_id = x.product_id))::int as units,
      (select count(*) from unit_assignments ua where ua.account_id = x.account_id and ua.product_id = x.product_id and ua.status = 'completed')::int as completed,
      (select count(*) from unit_assignments ua where ua.account_id = x.account_id and ua.product_id = x.product_id and ua.status = 'in_progress')::int as in_progress,
      r.id as request_id, r.origin as request_origin, r.preset_name,
      nullif(trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')), '') as requested_by,
      (select b.id from import_batches b where b.assignment_request_id = r.id and b.organisation_id = ${organisationId} limit 1) as import_batch_id
    from assignments x
    join products p on p.id = x.product_id
    left join assignment_requests r on r.id = x.request_id and r.organisation_id = ${organisationId}
    left join accounts c on c.id = r.created_by
    where x.account_id = ${accountId} and x.organisation_id = ${organisationId}
    order by p.position, p.name`;
}

export interface AccountHistoryRow extends Record<string, unknown> {
  at: Date;
  action: string;
  details: Record<string, unknown>;
  actor_name: string | null;
}

const ACTOR_NAME = sql`nullif(trim(coalesce(w.first_name, '') || ' ' || coalesce(w.last_name, '')), '') as actor_name`;

/** A bulk action's kind as the audit action its lines show as (the account page's words are keyed by them). */
const HISTORY_ACTION_OF_BULK = sql.join(
  [sql`case b.action`, ...Object.entries(HISTORY_ACTION_OF).map(([kind, action]) => sql`when ${kind} then ${action}`), sql`end`],
  sql` `,
);

/**
 * An account's recent history, newest first: the audit log about it, the bulk actions that changed
 * it, the import that created it and the imports and Classroom syncs that updated it (import rows
 * keep the existing account they matched). Each part reads by the account's id through an index.
 */
export function accountHistorySql(accountId: string, organisationId: string, limit: number): SQL {
  return sql`
    (select l.at, l.action, l.details, ${ACTOR_NAME}
      from audit_log l left join accounts w on w.id = l.actor_id
      where l.subject_type = 'account' and l.subject_id = ${accountId}::text and l.organisation_id = ${organisationId}
      order by l.at desc limit ${limit})
    union all
    (select b.finished_at as at, ${HISTORY_ACTION_OF_BULK} as action,
        jsonb_strip_nulls(jsonb_build_object('bulkActionId', b.id, 'name', b.target_name)) as details, ${ACTOR_NAME}
      from bulk_action_accounts x join bulk_actions b on b.id = x.bulk_action_id left join accounts w on w.id = b.created_by
      where x.account_id = ${accountId} and b.organisation_id = ${organisationId} and b.status = 'finished'
      order by b.finished_at desc limit ${limit})
    union all
    (select a.created_at as at, 'import.' || a.source || '.create' as action,
        case when b.id is not null then jsonb_build_object('batchId', b.id) else '{}'::jsonb end as details, ${ACTOR_NAME}
      from accounts a left join import_batches b on b.id = a.import_batch_id and b.organisation_id = ${organisationId}
        left join accounts w on w.id = b.created_by
      where a.id = ${accountId} and a.organisation_id = ${organisationId} and a.import_batch_id is not null)
    union all
    (select coalesce(b.finished_at, b.created_at) as at, 'import.' || b.source || '.' || r.outcome as action,
        jsonb_build_object('batchId', b.id) as details, ${ACTOR_NAME}
      from import_rows r join import_batches b on b.id = r.batch_id left join accounts w on w.id = b.created_by
      where r.account_id = ${accountId} and r.outcome = 'update' and b.organisation_id = ${organisationId}
        and b.status = 'finished'
      order by b.created_at desc limit ${limit})
    order by at desc limit ${limit}`;
}
