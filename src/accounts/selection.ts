import { sql, type SQL } from 'drizzle-orm';
import type { Ctx, Services } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { accountFilterSql, type AccountFilter } from './filter.js';
import { accountScopeSql, toUuidArray } from './scope.js';
import { isUuid } from '../ids.js';

/**
 * A choice of accounts made on View Accounts and carried to Assign. It is stored on the server:
 * either the ids checked on a page, or, with "select all across pages", the filter itself.
 */
export interface Selection {
  id: string;
  filter: AccountFilter;
  allMatching: boolean;
  accountIds: string[];
}

export const MAX_EXPLICIT_SELECTION = 1000;

export async function createSelection(
  ctx: Ctx,
  input: { allMatching: true; filter: AccountFilter } | { allMatching: false; accountIds: string[] },
): Promise<Selection> {
  const accountIds = input.allMatching ? [] : [...new Set(input.accountIds)];
  if (!input.allMatching && accountIds.length === 0) throw new ValidationError('Check at least one account first.');
  if (accountIds.length > MAX_EXPLICIT_SELECTION) {
    throw new ValidationError(
      `Check at most ${MAX_EXPLICIT_SELECTION} accounts one by one, or use "select all" to choose every matching account.`,
    );
  }
  const filter = input.allMatching ? input.filter : {};
  // Cleanup on write: the actor's selections older than SELECTION_DAYS go (the daily job takes the rest).
  const rows = await ctx.db.execute<{ id: string }>(sql`
    with expired as (
      delete from account_selections where created_by = ${ctx.actor.id} and created_at < now() - make_interval(days => ${SELECTION_DAYS}))
    insert into account_selections (organisation_id, created_by, filter, all_matching, account_ids)
    values (${ctx.actor.organisationId}, ${ctx.actor.id}, ${JSON.stringify(filter)}::jsonb, ${input.allMatching}, ${toUuidArray(accountIds)})
    returning id`);
  return { id: rows[0]!.id, filter, allMatching: input.allMatching, accountIds };
}

/**
 * How long a selection (a draft kept across pages, or "all across all pages" for Assign and the
 * bulk actions) is kept: a working session's worth. Confirmed work does not need it any more (a
 * bulk action freezes its accounts, a mass assignment its targets).
 */
export const SELECTION_DAYS = 7;

/** The daily clean-up: removes selections older than SELECTION_DAYS, a batch at a time; returns how many went. */
export async function deleteOldSelections(services: Pick<Services, 'db'>, batch = 10_000): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await services.db.execute<{ id: string }>(sql`
      delete from account_selections where id in (
        select id from account_selections where created_at < now() - make_interval(days => ${SELECTION_DAYS}) limit ${batch})
      returning id`);
    total += rows.length;
    if (rows.length < batch) return total;
  }
}

/** A selection made by this actor in this organisation; anything else is not found. */
export async function getSelection(ctx: Ctx, id: string): Promise<Selection> {
  if (!isUuid(id)) throw new NotFoundError('That selection does not exist.');
  const rows = await ctx.db.execute<{ id: string; filter: AccountFilter; all_matching: boolean; account_ids: string[] }>(sql`
    select id, filter, all_matching, account_ids from account_selections
    where id = ${id} and organisation_id = ${ctx.actor.organisationId} and created_by = ${ctx.actor.id}`);
  const row = rows[0];
  if (!row) throw new NotFoundError('That selection does not exist.');
  return { id: row.id, filter: row.filter, allMatching: row.all_matching, accountIds: row.account_ids };
}

/**
 * `select a.id from accounts a where ...`: the accounts a selection stands for, re-scoped to what
 * the actor may see now (ids guessed into a selection, or from a group no longer managed, drop out).
 */
export function selectionAccountsSql(ctx: Ctx, selection: Selection): SQL {
  return sql`select a.id from accounts a where ${selectionConditionSql(ctx, selection)}`;
}

/** The condition on `accounts a` that a selection stands for, scoped to the actor. */
export function selectionConditionSql(ctx: Ctx, selection: Selection): SQL {
  const which = selection.allMatching ? accountFilterSql(selection.filter, 'a') : sql`a.id = any(${toUuidArray(selection.accountIds)})`;
  return sql`${accountScopeSql(ctx.actor, 'a')} and ${which}`;
}

export async function countSelection(ctx: Ctx, selection: Selection): Promise<number> {
  const rows = await ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from (${selectionAccountsSql(ctx, selection)}) s`);
  return rows[0]?.n ?? 0;
}

/**
 * The accounts checked so far on View Accounts, kept on the server while the person pages,
 * searches and filters (its id travels in the address as `selection`). Checking a box adds its
 * account, unchecking removes it. Made on the first check; null while nothing was ever checked.
 */
export async function updateDraftSelection(
  ctx: Ctx,
  input: { selectionId: string | null; add: string[]; remove: string[] },
): Promise<{ id: string; count: number } | null> {
  const add = [...new Set(input.add.filter(isUuid))];
  const remove = [...new Set(input.remove.filter(isUuid))];
  const existing = isUuid(input.selectionId) ? await findDraft(ctx, input.selectionId) : null;
  if (!existing) {
    if (add.length === 0) return null;
    const created = await createSelection(ctx, { allMatching: false, accountIds: add });
    return { id: created.id, count: await countSelection(ctx, created) };
  }
  // A list longer than the limit is refused by the statement itself, which then changes nothing.
  const [row] = await ctx.db.execute<{ n: number }>(sql`
    with next as (
      select coalesce(array_agg(distinct x), '{}') as ids
      from unnest(${toUuidArray(existing.accountIds)} || ${toUuidArray(add)}) x where x <> all(${toUuidArray(remove)}))
    update account_selections s set account_ids = next.ids from next
    where s.id = ${existing.id} and cardinality(next.ids) <= ${MAX_EXPLICIT_SELECTION}
    returning cardinality(s.account_ids)::int as n`);
  if (!row) {
    throw new ValidationError(
      `Check at most ${MAX_EXPLICIT_SELECTION} accounts one by one, or use "select all" to choose every matching account.`,
    );
  }
  const updated = await getSelection(ctx, existing.id);
  return { id: updated.id, count: await countSelection(ctx, updated) };
}

/** A draft is an explicit selection of this actor; anything else reads as none (a fresh one is made). */
async function findDraft(ctx: Ctx, id: string): Promise<Selection | null> {
  try {
    const selection = await getSelection(ctx, id);
    return selection.allMatching ? null : selection;
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

/** A draft to show on View Accounts, or null when the id is missing, not this actor's, or not a draft. */
export async function readDraftSelection(ctx: Ctx, id: string | undefined): Promise<Selection | null> {
  if (!isUuid(id)) return null;
  return findDraft(ctx, id);
}

/**
 * What Assign and the bulk actions act on: the draft's accounts, with the boxes of the page just
 * submitted read as they were at that moment (a box unchecked a moment ago may not have reached
 * the draft yet). Without a draft (no script), the boxes of the page alone.
 */
export function mergeDraft(draft: Selection | null, pageIds: string[], checkedIds: string[]): string[] {
  const onPage = new Set(pageIds.filter(isUuid));
  const kept = (draft?.accountIds ?? []).filter((id) => !onPage.has(id));
  return [...new Set([...kept, ...checkedIds.filter(isUuid)])];
}
