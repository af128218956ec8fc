import { sql, type SQL } from 'drizzle-orm';
import { reasonSql, storedReasons } from './reasons.js';
import type { Actor } from '../context.js';
import { accountScopeSql, toUuidArray } from '../accounts/scope.js';
import { arrayLiteral } from '../db/array-literal.js';
import type { ImportBatch } from './batches.js';

/** The statements of the run_import job (run.ts runs them: hashing, then each chunk's transaction). */

/** The rows from lo to hi, and the watermark the batch must show when they commit (the previous chunk's last row). */
export interface ChunkRange {
  lo: number;
  hi: number;
  after: number;
}

/** A chunk's rows of the batch, aliased r. */
export function inChunkSql(batchId: string, range: ChunkRange): SQL {
  return sql`r.batch_id = ${batchId} and r.row_number between ${range.lo} and ${range.hi}`;
}

export type ApplyStateRow = { applied_through: number; last: number | null };

export function applyStateSql(batchId: string): SQL {
  return sql`
    select b.applied_through, (select max(row_number) from import_rows r where r.batch_id = b.id) as last
    from import_batches b where b.id = ${batchId}`;
}

export type RowNumberRow = { row_number: number };

/** The first row of each chunk of `chunkSize` rows after the watermark. */
export function chunkStartsSql(batchId: string, appliedThrough: number, chunkSize: number): SQL {
  return sql`
    select row_number from (
      select row_number, row_number() over (order by row_number) as i
      from import_rows where batch_id = ${batchId} and row_number > ${appliedThrough}) r
    where (r.i - 1) % ${chunkSize} = 0 order by row_number`;
}

export type PasswordRow = { row_number: number; password: string };

/** The next rows whose own password the import will set and has not hashed yet. */
export function passwordsToHashSql(batch: ImportBatch, limit: number): SQL {
  return sql`
    select r.row_number, r.password from import_rows r
    where r.batch_id = ${batch.id} and r.password is not null and r.password_hash is null
      and (r.outcome = 'create' or (r.outcome = 'update' and ${batch.options.updateExisting.password}))
    order by r.row_number limit ${limit}`;
}

/** Hashes in place of the typed passwords; returns the rows written (a rerun finds them done). */
export function saveHashesSql(batchId: string, rowNumbers: number[], hashes: string[]): SQL {
  return sql`
    update import_rows r set password_hash = u.hash, password = null
    from unnest(${arrayLiteral(rowNumbers)}::int[], ${arrayLiteral(hashes)}::text[]) as u(n, hash)
    where r.batch_id = ${batchId} and r.row_number = u.n and r.password_hash is null
    returning r.row_number`;
}

export type ChunkBatchRow = { status: string; shared: string | null; welcome: boolean; org_name: string; applied_through: number };

export function chunkBatchSql(batchId: string): SQL {
  return sql`
    select b.status, b.shared_password_hash as shared, o.welcome_email_enabled as welcome, o.name as org_name, b.applied_through
    from import_batches b join organisations o on o.id = b.organisation_id where b.id = ${batchId}`;
}

/** The password a row's account gets: its own hash, or the batch's shared one. */
export function rowPasswordSql(shared: string | null): SQL {
  return sql`coalesce(r.password_hash, ${shared}::text)`;
}

export type GroupIdRow = { group_id: string };

/** The distinct groups of the rows after the watermark (read once per run). */
export function rowGroupsSql(batchId: string, appliedThrough: number): SQL {
  return sql`
    select distinct r.group_id from import_rows r
    where r.batch_id = ${batchId} and r.row_number > ${appliedThrough} and r.group_id is not null`;
}

/** Those of the groups that were deleted (or are no longer managed) since the check. */
export function goneGroupsSql(groupIds: string[], actor: Actor): SQL {
  const managed = actor.isSystemAdmin ? sql`` : sql`and g.id = any(${toUuidArray(actor.managedGroupIds)})`;
  return sql`
    select d.group_id from unnest(${toUuidArray(groupIds)}) as d(group_id)
    where not exists (select 1 from groups g where g.id = d.group_id and g.organisation_id = ${actor.organisationId} ${managed})`;
}

export function skipGoneGroupRowsSql(inChunk: SQL, updatesGroup: boolean, groupIds: string[]): SQL {
  return sql`
    update import_rows r set outcome = 'skip',
      reason = ${reasonSql('groupGone', { group: sql`r.group_name` })}
    where ${inChunk} and (r.outcome = 'create' or (r.outcome = 'update' and ${updatesGroup})) and r.group_id = any(${toUuidArray(groupIds)})`;
}

/** The chunk's new accounts, in row order, with the ids the check chose. */
export function insertNewAccountsSql(input: { inChunk: SQL; batch: ImportBatch; password: SQL; onConflict: SQL }): SQL {
  const { inChunk, batch, password } = input;
  const opts = batch.options;
  return sql`
    insert into accounts (id, organisation_id, kind, first_name, last_name, email, password_hash, must_change_password, group_id, google_user_id, source,
      import_batch_id)
    select r.new_account_id, ${batch.organisationId}, ${opts.accountKind}::account_kind, r.first_name, r.last_name, r.email, ${password},
           ${opts.mustChangePassword} and ${password} is not null, r.group_id, r.google_user_id, ${batch.source}::account_source, r.batch_id
    from import_rows r
    where ${inChunk} and r.outcome = 'create'
    order by r.row_number
    ${input.onConflict}`;
}

export function skipCreatedAfterCheckSql(inChunk: SQL): SQL {
  return sql`
    update import_rows r set outcome = 'skip',
      reason = ${storedReasons([{ code: 'createdAfterCheck' }])}::text
    where ${inChunk} and r.outcome = 'create' and not exists (select 1 from accounts a where a.id = r.new_account_id)`;
}

export function newAdministratorGroupsSql(inChunk: SQL): SQL {
  return sql`
    insert into administrator_groups (account_id, group_id)
    select r.new_account_id, r.group_id from import_rows r where ${inChunk} and r.outcome = 'create' and r.group_id is not null
    on conflict do nothing`;
}

export type ExistingRow = {
  outcome: 'update' | 'keep';
  account_id: string | null;
  password_hash: string | null;
  group_id: string | null;
  google_user_id: string | null;
};

/**
 * The chunk's rows for existing accounts: to update, or kept but to link to their Google account.
 * An update row's account_id is null when the account was deleted since the check: it is read all
 * the same, so the row is skipped rather than counted as updated.
 */
export function existingRowsSql(inChunk: SQL): SQL {
  return sql`
    select r.outcome, r.account_id, r.password_hash, r.group_id, r.google_user_id from import_rows r
    where ${inChunk} and (r.outcome = 'update' or (r.outcome = 'keep' and r.google_user_id is not null and r.account_id is not null))`;
}

/** The Google id of row r may go on account a: no other account of the organisation has it. */
function googleIdFreeSql(organisationId: string): SQL {
  return sql`(r.google_user_id is null or not exists (select 1 from accounts x where x.organisation_id = ${organisationId} and x.google_user_id = r.google_user_id and x.id <> a.id))`;
}

/**
 * One statement for a chunk's updates: the accounts, found by primary key from the arrays and
 * re-checked against the actor's reach now; their other sessions when the password changes (as a
 * change on Your Account does); and the rows whose account changed since the check, skipped.
 *
 * Only accounts where something differs are written (a rewritten row is a new row version, and on
 * a full page every index of accounts, the trigram one included, gets a new entry for it): the
 * same password hash (the shared password of an earlier import, see earlierSharedHash), the same
 * group, a Google id already there leave the account untouched, and it still counts as updated.
 * A group set to the value it already has changes no indexed column, so a row written for its
 * password alone can stay a HOT update where its page has room.
 */
export function updateExistingAccountsSql(input: {
  inChunk: SQL;
  batch: ImportBatch;
  actor: Actor;
  password: SQL;
  rows: ExistingRow[];
}): SQL {
  const { inChunk, batch, actor, password, rows } = input;
  const opts = batch.options;
  const upd = opts.updateExisting;
  const newPassword = sql`(${upd.password} and ${password} is not null)`;
  const ids = arrayLiteral(rows.map((u) => u.account_id));
  return sql`
    with r as (
      select * from unnest(${ids}::uuid[], ${arrayLiteral(rows.map((u) => u.password_hash))}::text[],
                           ${arrayLiteral(rows.map((u) => u.group_id))}::uuid[], ${arrayLiteral(rows.map((u) => u.google_user_id))}::text[])
        as r(account_id, password_hash, group_id, google_user_id)),
    reached as (${reachedAccountsSql({ actor, opts, ids, newPassword, password })}),
    u as (
      update accounts a set
        password_hash = case when e.new_hash then e.password_hash else a.password_hash end,
        must_change_password = case when e.new_hash or e.new_must_change then ${opts.mustChangePassword} else a.must_change_password end,
        group_id = case when e.new_group then e.group_id else a.group_id end,
        google_user_id = case when e.new_google then e.google_user_id else a.google_user_id end,
        updated_at = now()
      from reached e
      where a.id = e.id and e.changes and a.id = any(${ids}::uuid[])
        and ${accountScopeSql(actor, 'a')} and a.kind::text = ${opts.accountKind} and not a.is_system_admin
      returning a.id, e.new_hash),
    signed_out as (delete from sessions s using u where u.new_hash and s.account_id = u.id)
    update import_rows r set outcome = 'skip',
      reason = ${storedReasons([{ code: 'changedAfterCheck' }])}::text
    where ${inChunk} and r.outcome = 'update'
      and (r.account_id is null or r.account_id not in (select id from reached e where not e.changes union all select id from u))`;
}

/**
 * The chunk's accounts the import may still update (alias r: the rows' arrays), each with what
 * would change on it. Read, not written: an account with nothing to change is left alone.
 */
function reachedAccountsSql(input: { actor: Actor; opts: ImportBatch['options']; ids: string; newPassword: SQL; password: SQL }): SQL {
  const { actor, opts, ids, newPassword, password } = input;
  return sql`
    select c.*, (c.new_hash or c.new_must_change or c.new_group or c.new_google) as changes from (
      select a.id, ${password} as password_hash, r.group_id, r.google_user_id,
        (${newPassword} and a.password_hash is distinct from ${password}) as new_hash,
        (${newPassword} and a.must_change_password <> ${opts.mustChangePassword}) as new_must_change,
        (${opts.updateExisting.group} and r.group_id is not null and a.group_id is distinct from r.group_id) as new_group,
        (a.google_user_id is null and r.google_user_id is not null and ${googleIdFreeSql(actor.organisationId)}) as new_google
      from accounts a join r on a.id = r.account_id
      where a.id = any(${ids}::uuid[])
        and ${accountScopeSql(actor, 'a')} and a.kind::text = ${opts.accountKind} and not a.is_system_admin) c`;
}

/** Accounts left as they are still get linked to their Google account when they have none. */
export function linkGoogleAccountsSql(actor: Actor, rows: ExistingRow[]): SQL {
  const ids = arrayLiteral(rows.map((l) => l.account_id));
  return sql`
    update accounts a set google_user_id = r.google_user_id
    from unnest(${ids}::uuid[], ${arrayLiteral(rows.map((l) => l.google_user_id))}::text[]) as r(account_id, google_user_id)
    where a.id = r.account_id and a.id = any(${ids}::uuid[])
      and a.google_user_id is null and ${accountScopeSql(actor, 'a')} and ${googleIdFreeSql(actor.organisationId)}`;
}

/** Tags: added to new accounts, and to updated ones when chosen; a tag deleted since the check is left out. */
export function addAccountTagsSql(inChunk: SQL, batch: ImportBatch): SQL {
  return sql`
    insert into account_tags (account_id, tag_id)
    select case when r.outcome = 'create' then r.new_account_id else r.account_id end, t.tag_id
    from import_rows r cross join lateral unnest(r.tag_ids) as t(tag_id)
    join tags tg on tg.id = t.tag_id and tg.organisation_id = ${batch.organisationId}
    where ${inChunk} and cardinality(r.tag_ids) > 0 and (r.outcome = 'create' or (r.outcome = 'update' and ${batch.options.updateExisting.tags}))
    on conflict do nothing`;
}

export function welcomeRecipientsSql(inChunk: SQL): SQL {
  return sql`select r.email, r.first_name from import_rows r where ${inChunk} and r.outcome = 'create' order by r.row_number`;
}

export type IdRow = { id: string };

/** The watermark and counts moved past the chunk, only from where the chunk before left them. */
export function moveWatermarkSql(batchId: string, range: ChunkRange): SQL {
  return sql`
    update import_batches b set applied_through = ${range.hi},
      processed_rows = b.processed_rows + s.n, created_count = b.created_count + s.c, updated_count = b.updated_count + s.u,
      kept_count = b.kept_count + s.k, skipped_count = b.skipped_count + s.s
    from (
      select count(*)::int as n, count(*) filter (where outcome = 'create')::int as c, count(*) filter (where outcome = 'update')::int as u,
        count(*) filter (where outcome = 'keep')::int as k, count(*) filter (where outcome = 'skip')::int as s
      from import_rows r where ${inChunkSql(batchId, range)}) s
    where b.id = ${batchId} and b.applied_through = ${range.after} and b.status = 'running'
    returning b.id`;
}
