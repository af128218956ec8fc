import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../context.js';
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
    throw new ValidationError(`Check at most ${MAX_EXPLICIT_SELECTION} accounts one by one, or use "select all" to choose every matching account.`);
  }
  const filter = input.allMatching ? input.filter : {};
  const rows = await ctx.db.execute<{ id: string }>(sql`
    insert into account_selections (organisation_id, created_by, filter, all_matching, account_ids)
    values (${ctx.actor.organisationId}, ${ctx.actor.id}, ${JSON.stringify(filter)}::jsonb, ${input.allMatching}, ${toUuidArray(accountIds)})
    returning id`);
  return { id: rows[0]!.id, filter, allMatching: input.allMatching, accountIds };
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
  const which = selection.allMatching
    ? accountFilterSql(selection.filter, 'a')
    : sql`a.id = any(${toUuidArray(selection.accountIds)})`;
  return sql`${accountScopeSql(ctx.actor, 'a')} and ${which}`;
}

export async function countSelection(ctx: Ctx, selection: Selection): Promise<number> {
  const rows = await ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from (${selectionAccountsSql(ctx, selection)}) s`);
  return rows[0]?.n ?? 0;
}
