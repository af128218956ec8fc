import { sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';

/** The search and filters of View Accounts. The same filter drives the page, the count and "select all". */
export interface AccountFilter {
  q?: string | undefined;
  tagId?: string | undefined;
  groupId?: string | undefined;
  /** Active or deactivated accounts only; absent means all. */
  status?: AccountStatusFilter | undefined;
}

export type AccountStatusFilter = 'active' | 'deactivated';

const uuid = v.pipe(v.string(), v.uuid());

export const AccountFilterSchema = v.object({
  q: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200))),
  tagId: v.optional(v.union([uuid, v.literal('')])),
  groupId: v.optional(v.union([uuid, v.literal('')])),
  status: v.optional(v.picklist(['active', 'deactivated', ''])),
});

/** Parses untrusted query/form values; unknown or malformed values are dropped, not errors. */
export function parseAccountFilter(input: Record<string, unknown>): AccountFilter {
  const q = typeof input.q === 'string' ? input.q.trim().slice(0, 200) : '';
  const tagId = typeof input.tagId === 'string' && v.is(uuid, input.tagId) ? input.tagId : undefined;
  const groupId = typeof input.groupId === 'string' && v.is(uuid, input.groupId) ? input.groupId : undefined;
  const status = input.status === 'active' || input.status === 'deactivated' ? input.status : undefined;
  return { ...(q ? { q } : {}), ...(tagId ? { tagId } : {}), ...(groupId ? { groupId } : {}), ...(status ? { status } : {}) };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/**
 * SQL conditions for a filter over `accounts` aliased `alias`. Search matches name or email
 * anywhere (the trigram index serves it); tag and group must belong to the same organisation,
 * which the account scope guarantees since a foreign id matches no account of ours.
 */
export function accountFilterSql(filter: AccountFilter, alias = 'a'): SQL {
  const search = accountSearchSql(filter, alias);
  const beside = accountFiltersBesideSearchSql(filter, alias);
  return search ? sql`${search} and ${beside}` : beside;
}

/** The search alone (name or email contains the text), or null without one. */
export function accountSearchSql(filter: AccountFilter, alias = 'a'): SQL | null {
  if (!filter.q) return null;
  const a = sql.raw(alias);
  const pattern = `%${escapeLike(filter.q.toLowerCase())}%`;
  return sql`lower(${a}.first_name || ' ' || ${a}.last_name || ' ' || ${a}.email) like ${pattern}`;
}

/**
 * Searches of at least this many characters have trigrams, so the search index finds their matches
 * at a cost that follows the matches; shorter ones are left to the planner.
 */
export const INDEXED_SEARCH_LENGTH = 3;

/** Every condition of the filter except the search (group, status, tag). */
export function accountFiltersBesideSearchSql(filter: AccountFilter, alias = 'a'): SQL {
  const a = sql.raw(alias);
  const parts: SQL[] = [sql`true`];
  if (filter.groupId) parts.push(sql`${a}.group_id = ${filter.groupId}`);
  if (filter.status === 'active') parts.push(sql`${a}.deactivated_at is null`);
  if (filter.status === 'deactivated') parts.push(sql`${a}.deactivated_at is not null`);
  if (filter.tagId) parts.push(sql`exists (select 1 from account_tags at where at.account_id = ${a}.id and at.tag_id = ${filter.tagId})`);
  return sql.join(parts, sql` and `);
}
