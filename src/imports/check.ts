import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { ValidationError } from '../errors.js';
import { accountScopeSql, toUuidArray } from '../accounts/scope.js';
import { assertEditable, getImportBatch } from './batches.js';
import type { ImportOptions } from './options.js';

export interface CheckSummary {
  total: number;
  toCreate: number;
  toUpdate: number;
  toKeep: number;
  toSkip: number;
}

/** What will change on an existing account, in words, from the options chosen. */
export function updateDescription(options: ImportOptions): string | null {
  const parts: string[] = [];
  if (options.updateExisting.password) parts.push('password');
  if (options.updateExisting.group) parts.push('group');
  if (options.updateExisting.tags) parts.push('tags');
  if (!parts.length) return null;
  const list = parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
  return `An account with this email already exists; its ${list} will be updated.`;
}

/**
 * Decides, set-based over the staged rows, what the import will do with each: create, update or
 * keep an existing account, or skip the row with its reason. Existing accounts are matched by
 * Google user id first, then by email ignoring case (DESIGN rule 7). Safe to run again: it starts
 * from the staged data each time. A handful of statements whatever the number of rows.
 */
export async function checkImportBatch(ctx: Ctx, batchId: string): Promise<CheckSummary> {
  const batch = await getImportBatch(ctx, batchId);
  assertEditable(batch);
  const { actor } = ctx;
  const options = batch.options;
  const org = actor.organisationId;
  const id = batch.id;
  if (options.accountKind === 'administrator' && !actor.isSystemAdmin) {
    throw new ValidationError('Only system administrators can import administrator accounts.');
  }
  const managed = actor.isSystemAdmin ? null : toUuidArray(actor.managedGroupIds);
  const groupInScope: SQL = managed ? sql`g.id = any(${managed})` : sql`true`;
  const pending = sql`r.batch_id = ${id} and r.outcome = 'pending'`;

  return ctx.db.transaction(async (tx) => {
    const db = { execute: tx.execute.bind(tx) };
    const locked = await tx.execute<{ status: string }>(sql`select status from import_batches where id = ${id} for update`);
    if (locked[0]?.status !== 'draft' && locked[0]?.status !== 'checked') assertEditable({ ...batch, status: 'running' });
    const skipTx = (reason: SQL, where: SQL) => db.execute(sql`update import_rows r set outcome = 'skip', reason = ${reason} where ${pending} and ${where}`);

    // Start from the staged data, so the check can run again after options change.
    await db.execute(sql`
      update import_rows r set
        outcome = case when r.problem is null then 'pending'::import_outcome else 'skip'::import_outcome end,
        reason = r.problem, account_id = null, group_id = null, tag_ids = '{}', applied = false,
        email = case when r.email = '' and r.google_user_id is not null and ${options.placeholderEmailDomain}::text is not null
                     then lower(r.google_user_id) || '@' || ${options.placeholderEmailDomain}::text else r.email end
      where r.batch_id = ${id}`);
    await skipTx(sql`'The email is missing.'`, sql`r.email = ''`);

    // Duplicates inside the file: the first row wins, later ones are skipped and say which row.
    await db.execute(sql`
      with d as (
        select row_number, min(row_number) over (partition by lower(email)) as first_row
        from import_rows where batch_id = ${id} and outcome = 'pending')
      update import_rows r set outcome = 'skip', reason = 'The same email is also on row ' || d.first_row || '.'
      from d where r.batch_id = ${id} and r.row_number = d.row_number and d.first_row <> d.row_number`);
    await db.execute(sql`
      with d as (
        select row_number, min(row_number) over (partition by google_user_id) as first_row
        from import_rows where batch_id = ${id} and outcome = 'pending' and google_user_id is not null)
      update import_rows r set outcome = 'skip', reason = 'The same Google account is also on row ' || d.first_row || '.'
      from d where r.batch_id = ${id} and r.row_number = d.row_number and d.first_row <> d.row_number`);

    // Groups named in the rows must exist, and be the administrator's own.
    await db.execute(sql`
      update import_rows r set group_id = g.id
      from groups g
      where ${pending} and r.group_name is not null and g.organisation_id = ${org} and lower(g.name) = lower(r.group_name)`);
    await skipTx(sql`'There is no group named "' || r.group_name || '" in your organisation.'`, sql`r.group_name is not null and r.group_id is null`);
    if (managed) {
      await skipTx(sql`'You do not manage the group "' || r.group_name || '".'`, sql`r.group_id is not null and not (r.group_id = any(${managed}))`);
    }
    if (options.groupId) {
      const [ok] = await db.execute<{ n: number }>(sql`select count(*)::int as n from groups g where g.id = ${options.groupId} and g.organisation_id = ${org} and ${groupInScope}`);
      if (ok?.n !== 1) throw new ValidationError('The group you chose no longer exists or is not one of yours. Choose another group.', { groupId: 'Choose one of your groups.' });
      await db.execute(sql`update import_rows r set group_id = ${options.groupId} where ${pending} and r.group_name is null`);
    }

    // Tags named in the rows must exist; otherwise the batch's chosen tags apply.
    await db.execute(sql`
      with t as (
        select r.row_number,
          coalesce(array_agg(tg.id) filter (where tg.id is not null), '{}') as ids,
          array_agg(n.name) filter (where tg.id is null) as missing
        from import_rows r
        cross join lateral unnest(r.tag_names) as n(name)
        left join tags tg on tg.organisation_id = ${org} and lower(tg.name) = lower(n.name)
        where ${pending} and cardinality(r.tag_names) > 0
        group by r.row_number)
      update import_rows r set
        tag_ids = t.ids,
        outcome = case when t.missing is null then r.outcome else 'skip'::import_outcome end,
        reason = case when t.missing is null then r.reason
                      when cardinality(t.missing) = 1 then 'There is no tag named "' || t.missing[1] || '" in your organisation.'
                      else 'There are no tags named "' || array_to_string(t.missing, '", "') || '" in your organisation.' end
      from t where r.batch_id = ${id} and r.row_number = t.row_number`);
    if (options.tagIds.length) {
      const ids = [...new Set(options.tagIds)];
      const [ok] = await db.execute<{ n: number }>(sql`select count(*)::int as n from tags where organisation_id = ${org} and id = any(${toUuidArray(ids)})`);
      if (ok?.n !== ids.length) throw new ValidationError('A tag you chose no longer exists. Choose the tags again.', { tagIds: 'Choose existing tags.' });
      await db.execute(sql`update import_rows r set tag_ids = ${toUuidArray(ids)} where ${pending} and cardinality(r.tag_names) = 0`);
    }

    // Existing accounts: by Google user id first, then by email ignoring case.
    await db.execute(sql`
      with m as (
        select r.row_number, coalesce(bg.id, be.id) as account_id,
          (bg.id is null and be.google_user_id is not null and r.google_user_id is not null and be.google_user_id <> r.google_user_id) as other_google
        from import_rows r
        left join accounts bg on r.google_user_id is not null and bg.organisation_id = ${org} and bg.google_user_id = r.google_user_id
        left join accounts be on be.organisation_id = ${org} and lower(be.email) = lower(r.email)
        where ${pending} and (bg.id is not null or be.id is not null))
      update import_rows r set account_id = m.account_id,
        outcome = case when m.other_google then 'skip'::import_outcome else r.outcome end,
        reason = case when m.other_google then 'An account with this email is linked to another Google account, so it was left as it is.' else r.reason end
      from m where r.batch_id = ${id} and r.row_number = m.row_number`);
    await db.execute(sql`
      with d as (
        select row_number, min(row_number) over (partition by account_id) as first_row
        from import_rows where batch_id = ${id} and outcome = 'pending' and account_id is not null)
      update import_rows r set outcome = 'skip', reason = 'Row ' || d.first_row || ' is for the same account.'
      from d where r.batch_id = ${id} and r.row_number = d.row_number and d.first_row <> d.row_number`);

    // What happens to an existing account: never touched outside the actor's reach.
    const update = updateDescription(options);
    await db.execute(sql`
      update import_rows r set
        outcome = case
          when not (${accountScopeSql(actor, 'a')}) then 'skip'::import_outcome
          when a.is_system_admin or a.kind::text <> ${options.accountKind} then 'keep'::import_outcome
          when ${update !== null} then 'update'::import_outcome
          else 'keep'::import_outcome end,
        reason = case
          when not (${accountScopeSql(actor, 'a')}) then 'An account with this email already exists in a group you do not manage, so it was left as it is.'
          when a.is_system_admin or a.kind::text <> ${options.accountKind}
            then 'An account with this email already exists as ' || case when a.kind = 'administrator' then 'an administrator' else 'a user' end || '; it will be left as it is.'
          when ${update !== null} then ${update ?? ''}::text
          else 'An account with this email already exists; it will be left as it is.' end
      from accounts a
      where ${pending} and r.account_id is not null and a.id = r.account_id`);

    // New accounts need a group and a way to sign in.
    await skipTx(sql`'The group is missing.'`, sql`r.account_id is null and r.group_id is null`);
    if (!batch.hasSharedPassword && !options.allowNoPassword) {
      await skipTx(sql`'The password is missing.'`, sql`r.account_id is null and r.password is null`);
    }
    await db.execute(sql`update import_rows r set outcome = 'create', reason = null where ${pending} and r.account_id is null`);

    const [counts] = await db.execute<{ total: number; c: number; u: number; k: number; s: number }>(sql`
      select count(*)::int as total,
        count(*) filter (where outcome = 'create')::int as c, count(*) filter (where outcome = 'update')::int as u,
        count(*) filter (where outcome = 'keep')::int as k, count(*) filter (where outcome = 'skip')::int as s
      from import_rows where batch_id = ${id}`);
    await db.execute(sql`
      update import_batches set status = 'checked', checked_at = now(), total_rows = ${counts!.total},
        to_create = ${counts!.c}, to_update = ${counts!.u}, to_keep = ${counts!.k}, to_skip = ${counts!.s}
      where id = ${id}`);
    return { total: counts!.total, toCreate: counts!.c, toUpdate: counts!.u, toKeep: counts!.k, toSkip: counts!.s };
  });
}
