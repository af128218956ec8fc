import { sql, type SQL } from 'drizzle-orm';
import type { SyncLink } from './links.js';

/** The Classroom import's statements over the engine's import rows, by name. */

/** The account a staged row ended as: the one the engine created for it, or the existing one it matched. */
const ROW_ACCOUNT = sql`(case when r.outcome = 'create' then r.new_account_id else r.account_id end)`;

const onRoster = (roster: string[]) =>
  sql`r.google_user_id = any(array(select jsonb_array_elements_text(${JSON.stringify(roster)}::jsonb)))`;

/**
 * The batch's accounts on this course's roster become the link's members; returns them with
 * whether they existed before the import (the engine matched them rather than created them).
 * Skipped rows (an administrator account among them) are never attached.
 */
export function attachBatchMembersSql(link: Pick<SyncLink, 'id' | 'organisationId' | 'importBatchId'>, roster: string[]): SQL {
  // The roster's rows first (a class's few dozen), materialized: joined to accounts from there,
  // whatever the statistics say. Straight after an import they still count the organisation's
  // accounts before it, and the planner then looped over every import row once per account
  // (7,000 × 7,000 for a 200-class import: over a minute per class).
  return sql`
    with roster_rows as materialized (
      select r.google_user_id, r.outcome, ${ROW_ACCOUNT} as account_id
      from import_rows r
      where r.batch_id = ${link.importBatchId} and r.outcome <> 'skip' and r.google_user_id is not null and ${onRoster(roster)}),
    ins as (
      insert into classroom_link_members (link_id, google_user_id, account_id)
      select ${link.id}, rr.google_user_id, a.id
      from roster_rows rr
      join accounts a on a.id = rr.account_id and a.organisation_id = ${link.organisationId} and a.kind = 'user'
      on conflict (link_id, google_user_id) do update set removed = false, removed_at = null
      returning account_id, google_user_id)
    select a.first_name || ' ' || a.last_name as name, a.id as account_id, rr.outcome <> 'create' as existed
    from ins join accounts a on a.id = ins.account_id
    join roster_rows rr on rr.google_user_id = ins.google_user_id
    order by a.last_name, a.first_name`;
}

/** Rows of the batch on this roster that did not become an account, with their reasons. */
export function batchSkippedSql(link: Pick<SyncLink, 'importBatchId'>, roster: string[]): SQL {
  return sql`
    select r.first_name || ' ' || r.last_name as name, r.reason
    from import_rows r
    where r.batch_id = ${link.importBatchId}
      and (r.outcome = 'skip' or not exists (select 1 from accounts a where a.id = ${ROW_ACCOUNT}))
      and ${onRoster(roster)}
    order by r.row_number limit 100`;
}

/**
 * The link's tag ids with each planned one that does not exist replaced by the tag that holds its
 * name (created under another id meanwhile); only when one is missing. Returns the new ids.
 */
export function settleLinkTagsSql(link: Pick<SyncLink, 'id' | 'organisationId' | 'importBatchId'>): SQL {
  return sql`
    update classroom_course_links l set tag_ids = array(
      select distinct coalesce(t.id, named.id) from unnest(l.tag_ids) u(id)
      left join tags t on t.id = u.id and t.organisation_id = l.organisation_id
      left join lateral (
        select t2.id from jsonb_array_elements(b.new_tags) p
        join tags t2 on t2.organisation_id = l.organisation_id and lower(t2.name) = lower(p->>'name')
        where (p->>'id')::uuid = u.id) named on true
      where coalesce(t.id, named.id) is not null)
    from import_batches b
    where l.id = ${link.id} and b.id = ${link.importBatchId} and l.organisation_id = ${link.organisationId}
      and exists (select 1 from unnest(l.tag_ids) u(id) where not exists (select 1 from tags t where t.id = u.id))
    returning l.tag_ids::text[] as tag_ids`;
}

export type ReviewRowRecord = {
  row_number: number;
  first_name: string;
  last_name: string;
  email: string;
  hidden: boolean;
  outcome: 'pending' | 'create' | 'update' | 'keep' | 'skip';
  reason: string | null;
  matched_by: 'google' | 'email' | null;
  /** The matched account's own group and tags now (null for a row that matched none). */
  current_group_name: string | null;
  current_tag_names: string[] | null;
};

/**
 * A page of the review's rows (`where` over alias r), by name: whether Classroom hid the
 * student's email, and how an existing account was matched (Google account first, else email).
 */
export function reviewRowsPageSql(input: {
  where: SQL;
  hiddenGoogleIds: string[];
  organisationId: string;
  limit: number;
  offset: number;
}): SQL {
  return sql`
    select r.row_number, r.first_name, r.last_name, r.email, r.outcome, r.reason,
      r.google_user_id = any(array(select jsonb_array_elements_text(${JSON.stringify(input.hiddenGoogleIds)}::jsonb))) as hidden,
      case when r.account_id is null then null when a.google_user_id is not null and a.google_user_id = r.google_user_id then 'google' else 'email' end as matched_by,
      case when a.id is not null and r.outcome in ('update', 'keep') then (select cg.name from groups cg where cg.id = a.group_id) end as current_group_name,
      case when a.id is not null and r.outcome in ('update', 'keep') then
        array(select t.name from account_tags at join tags t on t.id = at.tag_id where at.account_id = a.id order by lower(t.name)) end as current_tag_names
    from import_rows r left join accounts a on a.id = r.account_id and a.organisation_id = ${input.organisationId}
    where ${input.where}
    order by r.last_name, r.first_name, r.row_number
    limit ${input.limit} offset ${input.offset}`;
}
