import { sql } from 'drizzle-orm';
import { isUniqueViolation } from '../accounts/own-account.js';
import { groupScopeSql, toUuidArray } from '../accounts/scope.js';
import { recordAudit } from '../audit.js';
import type { Ctx } from '../context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { isUuid } from '../ids.js';
import { readName } from './name.js';

export type NamedItem = { id: string; name: string };

export interface GroupSummary {
  id: string;
  name: string;
  accountCount: number;
  /** The administrators who manage the group (system administrators manage every group and are not listed). */
  administrators: { id: string; name: string; email: string }[];
}

function requireSystemAdmin(ctx: Ctx, what: string): void {
  if (!ctx.actor.isSystemAdmin) throw new ForbiddenError(`Only system administrators can ${what}.`);
}

/** Groups the actor may see and place accounts in (a group administrator: the ones they manage). */
export async function listGroups(ctx: Ctx): Promise<NamedItem[]> {
  return ctx.db.execute<NamedItem>(sql`select g.id, g.name from groups g where ${groupScopeSql(ctx.actor, 'g')} order by lower(g.name)`);
}

/** The Groups page: each visible group with its number of accounts and its group administrators. */
export async function listGroupSummaries(ctx: Ctx): Promise<GroupSummary[]> {
  if (ctx.actor.kind !== 'administrator') throw new ForbiddenError('Only administrators can see groups.');
  const rows = await ctx.db.execute<{
    id: string;
    name: string;
    account_count: number;
    administrators: GroupSummary['administrators'] | null;
  }>(sql`
    select g.id, g.name,
      (select count(*)::int from accounts a where a.organisation_id = g.organisation_id and a.group_id = g.id) as account_count,
      (select json_agg(json_build_object('id', a.id, 'name', a.first_name || ' ' || a.last_name, 'email', a.email) order by a.last_name, a.first_name)
         from administrator_groups ag join accounts a on a.id = ag.account_id
         where ag.group_id = g.id and a.organisation_id = g.organisation_id) as administrators
    from groups g where ${groupScopeSql(ctx.actor, 'g')} order by lower(g.name)`);
  return rows.map((r) => ({ id: r.id, name: r.name, accountCount: r.account_count, administrators: r.administrators ?? [] }));
}

/** One group the actor may see; another organisation's (or another group administrator's) id reads as absent. */
export async function findGroup(ctx: Ctx, groupId: string): Promise<GroupSummary> {
  if (isUuid(groupId)) {
    const found = (await listGroupSummaries(ctx)).find((g) => g.id === groupId);
    if (found) return found;
  }
  throw new NotFoundError('That group does not exist.');
}

export async function createGroup(ctx: Ctx, input: { name: string }): Promise<NamedItem> {
  requireSystemAdmin(ctx, 'create groups');
  const name = readName(input.name, 'group');
  try {
    return await ctx.db.transaction(async (tx) => {
      const [row] = await tx.execute<NamedItem>(
        sql`insert into groups (organisation_id, name) values (${ctx.actor.organisationId}, ${name}) returning id, name`,
      );
      await recordAudit(tx, ctx.actor, 'group.created', { subjectType: 'group', subjectId: row!.id, details: { name } });
      return row!;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw takenName(name);
    throw error;
  }
}

export async function renameGroup(ctx: Ctx, input: { groupId: string; name: string }): Promise<NamedItem> {
  requireSystemAdmin(ctx, 'rename groups');
  const group = await findGroup(ctx, input.groupId);
  const name = readName(input.name, 'group');
  try {
    return await ctx.db.transaction(async (tx) => {
      const [row] = await tx.execute<NamedItem>(
        sql`update groups set name = ${name} where id = ${group.id} and organisation_id = ${ctx.actor.organisationId} returning id, name`,
      );
      if (!row) throw new NotFoundError('That group does not exist.');
      await recordAudit(tx, ctx.actor, 'group.renamed', {
        subjectType: 'group',
        subjectId: group.id,
        details: { from: group.name, to: name },
      });
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw takenName(name);
    throw error;
  }
}

function takenName(name: string): ValidationError {
  return new ValidationError('The group was not saved.', { name: `There is already a group named "${name}". Choose another name.` });
}

/**
 * Deletes a group. Its accounts are never deleted: they move to `moveToGroupId`, or are left
 * without a group when it is null. Returns how many accounts moved or were left.
 */
export async function deleteGroup(
  ctx: Ctx,
  input: { groupId: string; moveToGroupId: string | null },
): Promise<{ name: string; accounts: number }> {
  requireSystemAdmin(ctx, 'delete groups');
  const group = await findGroup(ctx, input.groupId);
  const target = input.moveToGroupId ? await findGroup(ctx, input.moveToGroupId) : null;
  if (target?.id === group.id)
    throw new ValidationError('The group was not deleted.', { moveToGroupId: 'Choose another group to move its accounts to.' });
  return ctx.db.transaction(async (tx) => {
    const org = ctx.actor.organisationId;
    const [moved] = await tx.execute<{ n: number }>(sql`
      with moved as (update accounts set group_id = ${target?.id ?? null}, updated_at = now() where organisation_id = ${org} and group_id = ${group.id} returning 1)
      select count(*)::int as n from moved`);
    const [gone] = await tx.execute<{ id: string }>(
      sql`delete from groups where id = ${group.id} and organisation_id = ${org} returning id`,
    );
    if (!gone) throw new NotFoundError('That group does not exist.');
    await recordAudit(tx, ctx.actor, 'group.deleted', {
      subjectType: 'group',
      subjectId: group.id,
      details: { name: group.name, accounts: moved!.n, movedTo: target ? { id: target.id, name: target.name } : null },
    });
    return { name: group.name, accounts: moved!.n };
  });
}

/** Administrators of the organisation who could be given groups to manage (system administrators manage all groups already). */
export async function listGroupAdministratorCandidates(ctx: Ctx): Promise<{ id: string; name: string; email: string }[]> {
  requireSystemAdmin(ctx, 'choose group administrators');
  return ctx.db.execute<{ id: string; name: string; email: string }>(sql`
    select a.id, a.first_name || ' ' || a.last_name as name, a.email from accounts a
    where a.organisation_id = ${ctx.actor.organisationId} and a.kind = 'administrator' and not a.is_system_admin
    order by a.last_name, a.first_name, a.id limit 1000`);
}

/** Makes exactly `accountIds` the group administrators of the group; ids of anyone else are refused. */
export async function setGroupAdministrators(ctx: Ctx, input: { groupId: string; accountIds: string[] }): Promise<void> {
  requireSystemAdmin(ctx, 'choose group administrators');
  const group = await findGroup(ctx, input.groupId);
  const ids = [...new Set(input.accountIds)];
  if (!ids.every(isUuid))
    throw new ValidationError('The group administrators were not saved.', { accountIds: 'Choose administrators from the list.' });
  await ctx.db.transaction(async (tx) => {
    const org = ctx.actor.organisationId;
    const valid = await tx.execute<{ id: string }>(sql`
      select id from accounts where organisation_id = ${org} and kind = 'administrator' and not is_system_admin and id = any(${toUuidArray(ids)})`);
    if (valid.length !== ids.length)
      throw new ValidationError('The group administrators were not saved.', { accountIds: 'Choose administrators from the list.' });
    await tx.execute(sql`delete from administrator_groups where group_id = ${group.id} and not (account_id = any(${toUuidArray(ids)}))`);
    await tx.execute(sql`
      insert into administrator_groups (account_id, group_id) select unnest(${toUuidArray(ids)}), ${group.id}::uuid on conflict do nothing`);
    await recordAudit(tx, ctx.actor, 'group.administrators_set', {
      subjectType: 'group',
      subjectId: group.id,
      details: { name: group.name, before: group.administrators.map((a) => a.id), after: ids },
    });
  });
}
