import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { keptCountSql } from './counts.js';
import { accountFilterSql, accountFiltersBesideSearchSql, accountSearchSql, INDEXED_SEARCH_LENGTH, type AccountFilter } from './filter.js';
import { accountScopeSql } from './scope.js';
import { clampPage, paginate } from '../pagination.js';
import { isUuid } from '../ids.js';

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
  deactivated: boolean;
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
 * name. A search of 3+ characters is read from its matches (readSearchPage); otherwise the page
 * comes from the (organisation, last name, first name, id) index, from Previous/Next's cursor or by
 * its number. The group and tags of only the accounts on the page are joined afterwards.
 */
export async function listAccounts(
  ctx: Ctx,
  input: { filter: AccountFilter; page: number; from?: PageCursor | undefined },
): Promise<AccountListPage> {
  const where = sql`${accountScopeSql(ctx.actor, 'a')} and ${accountFilterSql(input.filter, 'a')}`;
  const requested = clampPage(input.page);
  const search = await readSearchPage(ctx, input.filter, requested);
  if (search) {
    const { page, pageCount } = paginate(search.total, requested, ACCOUNTS_PAGE_SIZE);
    // A page past the end is read again as the last one.
    const rows = page === requested ? search.rows : ((await readSearchPage(ctx, input.filter, page))?.rows ?? []);
    return { rows, total: search.total, page, pageCount, pageSize: ACCOUNTS_PAGE_SIZE };
  }
  // The count and the page are read at the same time; a page past the end is read again as the last one.
  const [total, firstTry] = await Promise.all([
    countAccounts(ctx, where, input.filter),
    readPageAfterCursor(ctx, input.filter, input.from).then((rows) => rows ?? readPage(ctx, input.filter, requested)),
  ]);
  const { page, pageCount } = paginate(total, requested, ACCOUNTS_PAGE_SIZE);
  const rows = page === requested && firstTry.length > 0 ? firstTry : await readPage(ctx, input.filter, page);
  return { rows, total, page, pageCount, pageSize: ACCOUNTS_PAGE_SIZE };
}

/**
 * A search the trigram index serves, in one statement: its matches are found once, counted, and
 * the requested page taken from them in name order (a top-N sort of the matches: cheap even for
 * many, where walking the name order to the first match could read most of the organisation, as
 * "garcia" did while an import doubled the Gs: 80 ms), with the page's group and tags. No rows
 * when the page is past the end. Null when the filter has no such search.
 */
async function readSearchPage(ctx: Ctx, filter: AccountFilter, page: number): Promise<{ total: number; rows: AccountListRow[] } | null> {
  const matches = indexedSearchMatchesSql(ctx, filter);
  if (!matches) return null;
  const found = await ctx.db.execute<{ total: number } & ({ [K in keyof ListedRow]: ListedRow[K] | null } & Record<string, unknown>)>(sql`
    with matches as materialized (${matches}),
    hits as materialized (select a.id, a.last_name, a.first_name from matches a where ${besideSearchSql(ctx, filter)}),
    page as (
      select h.id, h.last_name, h.first_name from hits h
      order by h.last_name, h.first_name, h.id limit ${ACCOUNTS_PAGE_SIZE} offset ${(page - 1) * ACCOUNTS_PAGE_SIZE})
    select c.total, r.* from (select count(*)::int as total from hits) c
    left join lateral (${listedRowsSql()}) r on true
    order by r.last_name, r.first_name, r.id`);
  const rows = found.flatMap((r) => (r.id === null ? [] : [toListRow(r as ListedRow)]));
  return { total: found[0]?.total ?? 0, rows };
}

/**
 * Where Previous and Next continue from: the account just after which (or just before which) the
 * page starts, in name order. Such a page is read from that account's place in the name-order
 * index instead of walking past every earlier page (OFFSET), so the 2,000th page costs what the
 * first does, and rows added meanwhile do not shift it.
 */
export interface PageCursor {
  direction: 'after' | 'before';
  accountId: string;
}

/**
 * The page next to the cursor's account, or null when there is no usable cursor (none given, an
 * account the actor cannot see or that is gone, a search whose matches are sorted, or no row on
 * that side): then the page is read by its number.
 */
async function readPageAfterCursor(ctx: Ctx, filter: AccountFilter, from: PageCursor | undefined): Promise<AccountListRow[] | null> {
  if (!from || !isUuid(from.accountId) || indexedSearchMatchesSql(ctx, filter)) return null;
  const [key] = await ctx.db.execute<{ last_name: string; first_name: string; id: string }>(
    sql`select a.last_name, a.first_name, a.id from accounts a where a.id = ${from.accountId} and ${accountScopeSql(ctx.actor, 'a')}`,
  );
  if (!key) return null;
  const after = from.direction === 'after';
  const side = after
    ? sql`(a.last_name, a.first_name, a.id) > (${key.last_name}, ${key.first_name}, ${key.id}::uuid)`
    : sql`(a.last_name, a.first_name, a.id) < (${key.last_name}, ${key.first_name}, ${key.id}::uuid)`;
  const order = after ? sql`a.last_name, a.first_name, a.id` : sql`a.last_name desc, a.first_name desc, a.id desc`;
  const rows = await readOrderedPage(ctx, filter, { side, order, offset: 0 });
  return rows.length ? rows : null;
}

async function countAccounts(ctx: Ctx, where: SQL, filter: AccountFilter): Promise<number> {
  const kept = keptCountSql(ctx.actor, filter);
  if (kept) {
    const [row] = await ctx.db.execute<{ n: number }>(kept);
    return row?.n ?? 0;
  }
  if (filter.status && !filter.q && !filter.tagId) return countByStatus(ctx, filter);
  // A system administrator's tag filter is counted from account_tags alone: the database
  // guarantees an account only carries its own organisation's tags (sql/0002), and the tag is
  // checked to be this organisation's.
  const tagOnly = ctx.actor.isSystemAdmin && filter.tagId && !filter.q && !filter.groupId && !filter.status;
  const [row] = await ctx.db.execute<{ n: number }>(
    tagOnly
      ? sql`select count(*)::int as n from account_tags at
            where at.tag_id = ${filter.tagId} and exists (select 1 from tags t where t.id = ${filter.tagId} and t.organisation_id = ${ctx.actor.organisationId})`
      : sql`select count(*)::int as n from accounts a where ${where}`,
  );
  return row?.n ?? 0;
}

/**
 * Active or deactivated, by group at most: the deactivated accounts are few and have their own
 * index (sql/0110), and the active ones are the kept count less those, so neither counts every
 * account of the organisation.
 */
async function countByStatus(ctx: Ctx, filter: AccountFilter): Promise<number> {
  const count = async (query: SQL) => (await ctx.db.execute<{ n: number }>(query))[0]?.n ?? 0;
  const deactivatedOf = { groupId: filter.groupId, status: 'deactivated' as const };
  const deactivated = await count(
    sql`select count(*)::int as n from accounts a where ${accountScopeSql(ctx.actor, 'a')} and ${accountFilterSql(deactivatedOf, 'a')}`,
  );
  if (filter.status === 'deactivated') return deactivated;
  const kept = keptCountSql(ctx.actor, { groupId: filter.groupId });
  const where = sql`${accountScopeSql(ctx.actor, 'a')} and ${accountFilterSql(filter, 'a')}`;
  return kept ? (await count(kept)) - deactivated : count(sql`select count(*)::int as n from accounts a where ${where}`);
}

/**
 * A search long enough for the trigram index: the organisation's matches, found through that index
 * whatever else the filter says (as `matches`, with the columns the other conditions read). Left
 * to the planner, a search within a group walked the group's rows instead once the table held
 * many organisations (68 ms instead of 6 among 2M accounts), and again while an import grows the
 * group. Null for no search or a shorter one.
 */
function indexedSearchMatchesSql(ctx: Ctx, filter: AccountFilter): SQL | null {
  const search = accountSearchSql(filter, 'a');
  if (!search || (filter.q?.length ?? 0) < INDEXED_SEARCH_LENGTH) return null;
  return sql`select a.id, a.organisation_id, a.group_id, a.deactivated_at, a.last_name, a.first_name
    from accounts a where a.organisation_id = ${ctx.actor.organisationId} and ${search}`;
}

/** The actor's scope and the filter's other conditions, over the matches of a search (aliased a). */
function besideSearchSql(ctx: Ctx, filter: AccountFilter): SQL {
  return sql`${accountScopeSql(ctx.actor, 'a')} and ${accountFiltersBesideSearchSql(filter, 'a')}`;
}

function readPage(ctx: Ctx, filter: AccountFilter, page: number): Promise<AccountListRow[]> {
  // (Searches the trigram index serves are read by readSearchPage.)
  return readOrderedPage(ctx, filter, {
    order: sql`a.last_name, a.first_name, a.id`,
    offset: (page - 1) * ACCOUNTS_PAGE_SIZE,
  });
}

/**
 * A page in name order (or its reverse, before a cursor), past `offset` matches and on the cursor's
 * `side` of it. The page's ids come from a name-order index alone (the organisation's, or the
 * group's), and only those 50 accounts are read from the table.
 *
 * With a tag, the page is first looked for by walking that order and probing each account for the
 * tag, for at most a bounded number of accounts (TAG_WALK_*): the planner estimates a tag's share
 * of an organisation's accounts against every organisation's, so among 2M accounts it expected 234
 * of a group's 25k to carry a tag 4,222 do, and hashed the whole group and sorted it (8-18 ms)
 * instead of walking 300 of them (under 1 ms). A rare tag, or the last page, is not found within
 * the bound, and is then read as the planner chooses, which for few matches is the right plan.
 */
async function readOrderedPage(
  ctx: Ctx,
  filter: AccountFilter,
  at: { order: SQL; offset: number; side?: SQL | undefined },
): Promise<AccountListRow[]> {
  const side = at.side ? sql` and ${at.side}` : sql``;
  const planned = sql`select a.id, a.last_name, a.first_name from accounts a
    where ${accountScopeSql(ctx.actor, 'a')} and ${accountFilterSql(filter, 'a')}${side}
    order by ${at.order} limit ${ACCOUNTS_PAGE_SIZE} offset ${at.offset}`;
  if (!filter.tagId) return readRows(ctx, planned);
  const bound = Math.min(TAG_WALK_MAX, Math.max(TAG_WALK_MIN, TAG_WALK_PER_MATCH * (at.offset + ACCOUNTS_PAGE_SIZE)));
  // The subquery's LIMIT bounds the walk; OFFSET 0 keeps the probe a per-account lookup (never a hash of the tag's rows).
  const walked = await readRows(
    ctx,
    sql`select a.id, a.last_name, a.first_name from (
        select a.id, a.last_name, a.first_name from accounts a
        where ${accountScopeSql(ctx.actor, 'a')} and ${accountFilterSql({ ...filter, tagId: undefined }, 'a')}${side}
        order by ${at.order} limit ${bound}) a
      where exists (select 1 from account_tags at where at.account_id = a.id and at.tag_id = ${filter.tagId} offset 0)
      order by ${at.order} limit ${ACCOUNTS_PAGE_SIZE} offset ${at.offset}`,
  );
  return walked.length === ACCOUNTS_PAGE_SIZE ? walked : readRows(ctx, planned);
}

/** How far a tag filter's page is walked for (readOrderedPage): 40 accounts per match wanted (a tag on 2.5% of them), between these. */
const TAG_WALK_PER_MATCH = 40;
const TAG_WALK_MIN = 2_000;
const TAG_WALK_MAX = 20_000;

/** The accounts `pageIds` (id, last_name, first_name of up to a page) names, with group and tags, in name order. */
async function readRows(ctx: Ctx, pageIds: SQL): Promise<AccountListRow[]> {
  const rows = await ctx.db.execute<ListedRow & Record<string, unknown>>(sql`with page as (${pageIds}) ${listedRowsSql()}`);
  return rows.map(toListRow);
}

/** A listed account as listedRowsSql reads it. */
interface ListedRow {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  kind: 'user' | 'administrator';
  is_system_admin: boolean;
  group_name: string | null;
  tags: string[] | null;
  deactivated: boolean;
}

/** The accounts a `page` (id, last_name, first_name) names, with their group and tags, in name order. */
function listedRowsSql(): SQL {
  return sql`
    select a.id, a.first_name, a.last_name, a.email, a.kind, a.is_system_admin, g.name as group_name, a.deactivated_at is not null as deactivated,
      (select array_agg(t.name order by t.name) from account_tags at join tags t on t.id = at.tag_id where at.account_id = a.id) as tags
    from page p join accounts a on a.id = p.id left join groups g on g.id = a.group_id
    order by p.last_name, p.first_name, p.id`;
}

function toListRow(r: ListedRow): AccountListRow {
  return {
    id: r.id,
    firstName: r.first_name,
    lastName: r.last_name,
    email: r.email,
    kind: r.kind,
    isSystemAdmin: r.is_system_admin,
    groupName: r.group_name,
    tags: r.tags ?? [],
    deactivated: r.deactivated,
  };
}

// Groups and tags have their own features; View Accounts and Create Account read them from there.
export { listGroups, type NamedItem } from '../groups/groups.js';
export { listTags } from '../tags/tags.js';

/** One account the actor may see, or null (another organisation's or group's id reads as absent). */
export async function findVisibleAccount(ctx: Ctx, id: string): Promise<{ id: string; name: string; email: string } | null> {
  if (!isUuid(id)) return null;
  const rows = await ctx.db.execute<{ id: string; name: string; email: string }>(sql`
    select a.id, a.first_name || ' ' || a.last_name as name, a.email from accounts a where a.id = ${id} and ${accountScopeSql(ctx.actor, 'a')}`);
  return rows[0] ?? null;
}
