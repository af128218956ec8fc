import { sql } from 'drizzle-orm';
import { arrayLiteral } from '../db/array-literal.js';
import { isUniqueViolation } from '../accounts/own-account.js';
import { accountScopeSql } from '../accounts/scope.js';
import { recordAudit } from '../audit.js';
import type { Ctx } from '../context.js';
import type { DbHandle } from '../db/client.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { readName } from '../groups/name.js';
import { isUuid } from '../ids.js';
import type { NamedItem } from '../groups/groups.js';

export interface TagSummary {
  id: string;
  name: string;
  /** Accounts carrying the tag that the actor may see (a group administrator: in their groups). */
  accountCount: number;
}

function requireAdministrator(ctx: Ctx, what: string): void {
  if (ctx.actor.kind !== 'administrator') throw new ForbiddenError(`Only administrators can ${what}.`);
}

function requireSystemAdmin(ctx: Ctx, what: string): void {
  if (!ctx.actor.isSystemAdmin) throw new ForbiddenError(`Only system administrators can ${what}.`);
}

/** The organisation's tags; tags are shared by the whole organisation. */
export async function listTags(ctx: Ctx): Promise<NamedItem[]> {
  return ctx.db.execute<NamedItem>(
    sql`select t.id, t.name from tags t where t.organisation_id = ${ctx.actor.organisationId} order by lower(t.name)`,
  );
}

/** The Tags page: every tag of the organisation with the number of accounts the actor may see that carry it. */
export async function listTagSummaries(ctx: Ctx): Promise<TagSummary[]> {
  requireAdministrator(ctx, 'see tags');
  const rows = await ctx.db.execute<{ id: string; name: string; account_count: number }>(sql`
    select t.id, t.name, coalesce(c.n, 0)::int as account_count
    from tags t
    left join (select at.tag_id, count(*) as n from account_tags at join accounts a on a.id = at.account_id
               where ${accountScopeSql(ctx.actor, 'a')} group by at.tag_id) c on c.tag_id = t.id
    where t.organisation_id = ${ctx.actor.organisationId} order by lower(t.name)`);
  return rows.map((r) => ({ id: r.id, name: r.name, accountCount: r.account_count }));
}

/** One tag of the actor's organisation; another organisation's id reads as absent. */
export async function findTag(ctx: Ctx, tagId: string): Promise<TagSummary> {
  if (isUuid(tagId)) {
    const found = (await listTagSummaries(ctx)).find((t) => t.id === tagId);
    if (found) return found;
  }
  throw new NotFoundError('That tag does not exist.');
}

export async function createTag(ctx: Ctx, input: { name: string }): Promise<NamedItem> {
  requireAdministrator(ctx, 'create tags');
  const name = readName(input.name, 'tag');
  try {
    return await ctx.db.transaction(async (tx) => {
      const [row] = await tx.execute<NamedItem>(
        sql`insert into tags (organisation_id, name) values (${ctx.actor.organisationId}, ${name}) returning id, name`,
      );
      await recordAudit(tx, ctx.actor, 'tag.created', { subjectType: 'tag', subjectId: row!.id, details: { name } });
      return row!;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw takenName(name);
    throw error;
  }
}

/**
 * The tags named, created where missing (any administrator may create tags). Names are trimmed
 * and matched ignoring case; a name that another request creates at the same moment is found,
 * not duplicated (ON CONFLICT on the unique lower(name) index). Runs in the caller's transaction
 * when given one, so an import makes each tag once even when killed and resumed.
 */
export async function findOrCreateTags(
  ctx: Ctx,
  input: { names: string[] },
  tx: DbHandle = ctx.db,
): Promise<{ tags: NamedItem[]; created: string[] }> {
  requireAdministrator(ctx, 'create tags');
  const names = firstSpellings(input.names.map((n) => readName(n, 'tag')));
  if (names.length === 0) return { tags: [], created: [] };
  const created = await tx.execute<NamedItem>(sql`
    insert into tags (organisation_id, name) select ${ctx.actor.organisationId}, n from unnest(${arrayLiteral(names)}::text[]) n
    on conflict (organisation_id, lower(name)) do nothing returning id, name`);
  const tags = await tx.execute<NamedItem>(sql`
    select id, name from tags where organisation_id = ${ctx.actor.organisationId}
      and lower(name) = any(${arrayLiteral(names.map((n) => n.toLowerCase()))}::text[]) order by lower(name)`);
  for (const t of created)
    await recordAudit(tx, ctx.actor, 'tag.created', { subjectType: 'tag', subjectId: t.id, details: { name: t.name } });
  return { tags, created: created.map((t) => t.name) };
}

/** One name per case-insensitive spelling, the first one met winning (as the import does). */
export function firstSpellings(names: string[]): string[] {
  const seen = new Map<string, string>();
  for (const n of names) if (!seen.has(n.toLowerCase())) seen.set(n.toLowerCase(), n);
  return [...seen.values()];
}

export async function renameTag(ctx: Ctx, input: { tagId: string; name: string }): Promise<NamedItem> {
  requireSystemAdmin(ctx, 'rename tags');
  const tag = await findTag(ctx, input.tagId);
  const name = readName(input.name, 'tag');
  try {
    return await ctx.db.transaction(async (tx) => {
      const [row] = await tx.execute<NamedItem>(
        sql`update tags set name = ${name} where id = ${tag.id} and organisation_id = ${ctx.actor.organisationId} returning id, name`,
      );
      if (!row) throw new NotFoundError('That tag does not exist.');
      await recordAudit(tx, ctx.actor, 'tag.renamed', { subjectType: 'tag', subjectId: tag.id, details: { from: tag.name, to: name } });
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw takenName(name);
    throw error;
  }
}

function takenName(name: string): ValidationError {
  return new ValidationError('The tag was not saved.', { name: `There is already a tag named "${name}". Choose another name.` });
}

/**
 * Merges one tag into another: every account that carried the source ends with the target
 * (an account that had both keeps one), and the source is deleted.
 */
export async function mergeTag(
  ctx: Ctx,
  input: { tagId: string; intoTagId: string },
): Promise<{ from: string; into: string; accounts: number }> {
  requireSystemAdmin(ctx, 'merge tags');
  const source = await findTag(ctx, input.tagId);
  if (!isUuid(input.intoTagId)) throw new ValidationError('The tags were not merged.', { intoTagId: 'Choose the tag to merge into.' });
  const target = await findTag(ctx, input.intoTagId);
  if (target.id === source.id)
    throw new ValidationError('The tags were not merged.', { intoTagId: 'Choose another tag: a tag cannot be merged into itself.' });
  return ctx.db.transaction(async (tx) => {
    const [added] = await tx.execute<{ n: number }>(sql`
      with added as (insert into account_tags (account_id, tag_id) select account_id, ${target.id}::uuid from account_tags where tag_id = ${source.id}
        on conflict do nothing returning 1)
      select count(*)::int as n from added`);
    const [gone] = await tx.execute<{ id: string }>(
      sql`delete from tags where id = ${source.id} and organisation_id = ${ctx.actor.organisationId} returning id`,
    );
    if (!gone) throw new NotFoundError('That tag does not exist.');
    await recordAudit(tx, ctx.actor, 'tag.merged', {
      subjectType: 'tag',
      subjectId: target.id,
      details: { from: { id: source.id, name: source.name }, into: { id: target.id, name: target.name }, accountsAdded: added!.n },
    });
    return { from: source.name, into: target.name, accounts: added!.n };
  });
}

/** Deletes a tag; it leaves every account that carried it (the accounts stay). */
export async function deleteTag(ctx: Ctx, input: { tagId: string }): Promise<{ name: string; accounts: number }> {
  requireSystemAdmin(ctx, 'delete tags');
  const tag = await findTag(ctx, input.tagId);
  return ctx.db.transaction(async (tx) => {
    const [removed] = await tx.execute<{ n: number }>(
      sql`with d as (delete from account_tags where tag_id = ${tag.id} returning 1) select count(*)::int as n from d`,
    );
    const [gone] = await tx.execute<{ id: string }>(
      sql`delete from tags where id = ${tag.id} and organisation_id = ${ctx.actor.organisationId} returning id`,
    );
    if (!gone) throw new NotFoundError('That tag does not exist.');
    await recordAudit(tx, ctx.actor, 'tag.deleted', {
      subjectType: 'tag',
      subjectId: tag.id,
      details: { name: tag.name, accounts: removed!.n },
    });
    return { name: tag.name, accounts: removed!.n };
  });
}
