import { sql, type SQL } from 'drizzle-orm';
import { toUuidArray } from '../accounts/scope.js';
import type { GoogleStudent } from './google-client.js';

/**
 * The roster sync's statements, by name. Rows travel as JSON recordsets (one parameter, any
 * length); every statement that writes to accounts carries the owner's scope and never touches
 * an administrator account.
 */

/** A roster student not yet a member, with the account they match (Google id first, then email). */
export interface JoinerRow {
  google_user_id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  account_id: string | null;
  /** The matched account is in the owner's groups (or the owner is a system administrator). */
  in_reach: boolean;
}

export interface PlanRow {
  joiners: JoinerRow[];
  /** Roster students whose Google id or email is an administrator account's: never matched, named in the history. */
  administrators: { google_user_id: string; name: string }[];
  returners: { google_user_id: string; name: string }[];
  leavers: { google_user_id: string; name: string }[];
  changed: { account_id: string; google_user_id: string; first_name: string; last_name: string; email: string | null; name: string }[];
  active: number;
}

function rosterJson(roster: GoogleStudent[]): string {
  return JSON.stringify(roster.map((s) => ({ g: s.googleUserId, f: s.firstName, l: s.lastName, e: s.email })));
}

const jsonIds = (ids: string[]) => sql`array(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`;

/**
 * The difference between Google's roster and the link's members, in one statement. `reach` is
 * the owner's account scope over alias `a`. A returning member whose name changed is both a
 * returner and changed, so one sync restores and renames.
 */
export function planSyncSql(input: { linkId: string; organisationId: string; roster: GoogleStudent[]; reach: SQL }): SQL {
  const org = input.organisationId;
  return sql`
    with roster as (
      select distinct on (r.g) r.g as google_user_id, left(r.f, 100) as first_name, left(r.l, 100) as last_name, nullif(r.e, '') as email
      from jsonb_to_recordset(${rosterJson(input.roster)}::jsonb) as r(g text, f text, l text, e text)),
    flagged as (
      select r.*, exists (
        select 1 from accounts x where x.organisation_id = ${org} and x.kind = 'administrator'
          and (x.google_user_id = r.google_user_id or (r.email is not null and lower(x.email) = lower(r.email)))) as administrator
      from roster r),
    members as (
      select m.google_user_id, m.removed, m.account_id, a.first_name, a.last_name, a.email, a.organisation_id,
        (a.kind = 'administrator' or a.is_system_admin) as administrator, (${input.reach}) as in_reach
      from classroom_link_members m join accounts a on a.id = m.account_id
      where m.link_id = ${input.linkId}),
    joiners as (
      select r.google_user_id, r.first_name, r.last_name, r.email, a.id as account_id, coalesce(${input.reach}, false) as in_reach
      from flagged r
      left join lateral (
        select a.* from accounts a
        where a.organisation_id = ${org}
          and (a.google_user_id = r.google_user_id
               or (r.email is not null and lower(a.email) = lower(r.email) and (a.google_user_id is null or a.google_user_id = r.google_user_id)))
        order by (a.google_user_id = r.google_user_id) desc nulls last limit 1) a on true
      where not r.administrator and not exists (select 1 from members m where m.google_user_id = r.google_user_id)),
    present as (
      select m.*, r.first_name as new_first, r.last_name as new_last, r.email as new_email_raw
      from members m join roster r using (google_user_id))
    select json_build_object(
      'joiners', coalesce((select json_agg(j order by j.last_name, j.first_name) from joiners j), '[]'::json),
      'administrators', coalesce((
        select json_agg(json_build_object('google_user_id', r.google_user_id, 'name', r.first_name || ' ' || r.last_name) order by r.last_name, r.first_name)
        from flagged r
        left join members m on m.google_user_id = r.google_user_id
        -- A joiner matching an administrator, or (linked before this rule) a member who is one.
        where (m.google_user_id is null and r.administrator) or m.administrator), '[]'::json),
      'returners', coalesce((
        select json_agg(json_build_object('google_user_id', p.google_user_id, 'name', p.new_first || ' ' || p.new_last))
        from present p where p.removed and not p.administrator), '[]'::json),
      'leavers', coalesce((
        select json_agg(json_build_object('google_user_id', m.google_user_id, 'name', m.first_name || ' ' || m.last_name) order by m.last_name, m.first_name)
        from members m where not m.removed and not exists (select 1 from roster r where r.google_user_id = m.google_user_id)), '[]'::json),
      'changed', coalesce((
        select json_agg(json_build_object('account_id', c.account_id, 'google_user_id', c.google_user_id, 'first_name', c.new_first,
          'last_name', c.new_last, 'email', case when c.new_email then c.new_email_raw end, 'name', c.new_first || ' ' || c.new_last))
        from (
          select p.*, (p.new_email_raw is not null and lower(p.new_email_raw) <> lower(p.email) and not exists (
              select 1 from accounts x where x.organisation_id = p.organisation_id and lower(x.email) = lower(p.new_email_raw) and x.id <> p.account_id)) as new_email
          from present p where p.in_reach and not p.administrator) c
        -- Only what the sync may and will change: accounts in the owner's reach, an email nobody else has.
        where c.new_first is distinct from c.first_name or c.new_last is distinct from c.last_name or c.new_email), '[]'::json),
      'active', (select count(*)::int from members m where not m.removed)
    ) as plan`;
}

/** Students who joined and already have an account become members (a member who came back is restored). */
export function attachMembersSql(linkId: string, rows: { googleUserId: string; accountId: string }[]): SQL {
  const json = JSON.stringify(rows.map((r) => ({ g: r.googleUserId, a: r.accountId })));
  return sql`
    insert into classroom_link_members (link_id, google_user_id, account_id)
    select ${linkId}, r.g, r.a::uuid from jsonb_to_recordset(${json}::jsonb) as r(g text, a text)
    on conflict (link_id, google_user_id) do update set removed = false, removed_at = null, account_id = excluded.account_id`;
}

/** Matched by email: remember the Google account, so the next match is by id. Never on an administrator account. */
export function linkGoogleIdsSql(rows: { googleUserId: string; accountId: string }[], reach: SQL): SQL {
  const json = JSON.stringify(rows.map((r) => ({ g: r.googleUserId, a: r.accountId })));
  return sql`
    update accounts a set google_user_id = r.g, updated_at = now()
    from jsonb_to_recordset(${json}::jsonb) as r(g text, a text)
    where a.id = r.a::uuid and a.google_user_id is null and ${reach} and a.kind = 'user' and not a.is_system_admin
      and not exists (select 1 from accounts x where x.organisation_id = a.organisation_id and x.google_user_id = r.g)`;
}

/** The class's tags on accounts that already existed and were matched into it ("Also add these tags to accounts that already exist"). */
export function addClassTagsSql(input: { organisationId: string; accountIds: string[]; tagIds: string[]; reach: SQL }): SQL {
  return sql`
    insert into account_tags (account_id, tag_id)
    select a.id, t.id from accounts a
    join tags t on t.organisation_id = ${input.organisationId} and t.id = any(${toUuidArray(input.tagIds)})
    where a.id = any(${toUuidArray(input.accountIds)}) and ${input.reach} and a.kind = 'user'
    on conflict do nothing`;
}

export function restoreMembersSql(linkId: string, googleUserIds: string[]): SQL {
  return sql`
    update classroom_link_members set removed = false, removed_at = null
    where link_id = ${linkId} and removed and google_user_id = any(${jsonIds(googleUserIds)})`;
}

export function removeMembersSql(linkId: string, googleUserIds: string[]): SQL {
  return sql`
    update classroom_link_members set removed = true, removed_at = now()
    where link_id = ${linkId} and not removed and google_user_id = any(${jsonIds(googleUserIds)})`;
}

/** Names and emails Google changed, on learners in the owner's reach only. */
export function renameAccountsSql(changed: PlanRow['changed'], reach: SQL): SQL {
  const json = JSON.stringify(changed.map((c) => ({ a: c.account_id, f: c.first_name, l: c.last_name, e: c.email })));
  return sql`
    update accounts a set first_name = left(r.f, 100), last_name = left(r.l, 100), email = coalesce(r.e, a.email), updated_at = now()
    from jsonb_to_recordset(${json}::jsonb) as r(a text, f text, l text, e text)
    where a.id = r.a::uuid and ${reach} and a.kind = 'user' and not a.is_system_admin
      and (a.first_name is distinct from left(r.f, 100) or a.last_name is distinct from left(r.l, 100) or (r.e is not null and a.email <> r.e))
    returning a.first_name || ' ' || a.last_name as name`;
}

/** Google ids the link's last import skipped (with a reason on its result page): not tried again each sync. */
export function skippedBeforeSql(importBatchId: string): SQL {
  return sql`select google_user_id from import_rows where batch_id = ${importBatchId} and outcome = 'skip' and google_user_id is not null`;
}

/** The rows of a batch the engine skipped, with their reasons. */
export function skippedNamesSql(batchId: string): SQL {
  return sql`
    select first_name || ' ' || last_name as name, reason
    from import_rows where batch_id = ${batchId} and outcome = 'skip' order by row_number limit 100`;
}

export interface RunInput {
  organisationId: string;
  linkId: string;
  trigger: string;
  outcome: 'applied' | 'held' | 'failed' | 'unchanged';
  added?: number;
  updated?: number;
  removed?: number;
  restored?: number;
  details?: Record<string, unknown>;
  message?: string | null;
  startedAt: Date;
}

export function insertRunSql(run: RunInput): SQL {
  return sql`
    insert into classroom_sync_runs (organisation_id, link_id, trigger, outcome, added, updated, removed, restored, details, message, started_at)
    values (${run.organisationId}, ${run.linkId}, ${run.trigger}, ${run.outcome}, ${run.added ?? 0}, ${run.updated ?? 0}, ${run.removed ?? 0},
            ${run.restored ?? 0}, ${JSON.stringify(run.details ?? {})}::jsonb, ${run.message ?? null}, ${run.startedAt.toISOString()}::timestamptz)`;
}

/**
 * The same outcome again (unchanged, or the same failure) adds to the link's latest history line
 * instead of a new line each time.
 */
export function foldRunSql(input: {
  linkId: string;
  trigger: string;
  outcome: 'unchanged' | 'failed';
  message?: string;
  details?: Record<string, unknown>;
}): SQL {
  return sql`
    update classroom_sync_runs r set runs = r.runs + 1, finished_at = now(), trigger = ${input.trigger}
      ${input.details ? sql`, details = ${JSON.stringify(input.details)}::jsonb` : sql``}
    where r.id = (select id from classroom_sync_runs where link_id = ${input.linkId} order by finished_at desc, id limit 1)
      and r.outcome = ${input.outcome} ${input.outcome === 'failed' ? sql`and r.message = ${input.message ?? ''}` : sql``}
    returning r.id`;
}
