import { sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { accountFilterSql, type AccountFilter } from './filter.js';
import { accountScopeSql, groupScopeSql } from './scope.js';

export const ACCOUNTS_PAGE_SIZE = 50;

export interface AccountListRow {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  kind: 'user' | 'administrator';
  isSystemAdmin: boolean;
  groupName: string | null;
  tags: string[];
}

export interface AccountListPage {
  rows: AccountListRow[];
  /** Every account matching the filter across all pages (what "select all" would choose). */
  total: number;
  page: number;
  pageCount: number;
  pageSize: number;
}

/**
 * One page of View Accounts: the accounts the actor may see that match the filter, ordered by
 * name. The page is read through the (organisation, last name, first name, id) index, and the
 * group and tags of only the accounts on the page are joined afterwards.
 */
export async function listAccounts(ctx: Ctx, input: { filter: AccountFilter; page: number }): Promise<AccountListPage> {
  const where = sql`${accountScopeSql(ctx.actor, 'a')} and ${accountFilterSql(input.filter, 'a')}`;
  const [{ n: total } = { n: 0 }] = await ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from accounts a where ${where}`);
  const pageCount = Math.max(1, Math.ceil(total / ACCOUNTS_PAGE_SIZE));
  const page = Math.min(Math.max(1, Math.floor(input.page) || 1), pageCount);
  const rows = await ctx.db.execute<{
    id: string;
    first_name: string;
    last_name: string;
    email: string;
    kind: 'user' | 'administrator';
    is_system_admin: boolean;
    group_name: string | null;
    tags: string[] | null;
  }>(sql`
    with page as (
      select a.id, a.first_name, a.last_name, a.email, a.kind, a.is_system_admin, a.group_id
      from accounts a
      where ${where}
      order by a.organisation_id, a.last_name, a.first_name, a.id
      limit ${ACCOUNTS_PAGE_SIZE} offset ${(page - 1) * ACCOUNTS_PAGE_SIZE}
    )
    select p.id, p.first_name, p.last_name, p.email, p.kind, p.is_system_admin, g.name as group_name,
      (select array_agg(t.name order by t.name) from account_tags at join tags t on t.id = at.tag_id where at.account_id = p.id) as tags
    from page p left join groups g on g.id = p.group_id
    order by p.last_name, p.first_name, p.id`);
  return {
    rows: rows.map((r) => ({
      id: r.id,
      firstName: r.first_name,
      lastName: r.last_name,
      email: r.email,
      kind: r.kind,
      isSystemAdmin: r.is_system_admin,
      groupName: r.group_name,
      tags: r.tags ?? [],
    })),
    total,
    page,
    pageCount,
    pageSize: ACCOUNTS_PAGE_SIZE,
  };
}

export type NamedItem = {
  id: string;
  name: string;
};

/** Groups the actor may see and place accounts in (a group administrator: the ones they manage). */
export async function listGroups(ctx: Ctx): Promise<NamedItem[]> {
  return ctx.db.execute<NamedItem>(sql`select g.id, g.name from groups g where ${groupScopeSql(ctx.actor, 'g')} order by lower(g.name)`);
}

/** The organisation's tags; tags are shared by the whole organisation. */
export async function listTags(ctx: Ctx): Promise<NamedItem[]> {
  return ctx.db.execute<NamedItem>(sql`select t.id, t.name from tags t where t.organisation_id = ${ctx.actor.organisationId} order by lower(t.name)`);
}

/** One account the actor may see, or null (another organisation's or group's id reads as absent). */
export async function findVisibleAccount(ctx: Ctx, id: string): Promise<{ id: string; name: string; email: string } | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const rows = await ctx.db.execute<{ id: string; name: string; email: string }>(sql`
    select a.id, a.first_name || ' ' || a.last_name as name, a.email from accounts a where a.id = ${id} and ${accountScopeSql(ctx.actor, 'a')}`);
  return rows[0] ?? null;
}
