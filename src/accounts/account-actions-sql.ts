import { sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../context.js';
import { accountScopeSql, groupScopeSql } from './scope.js';

/** What can be done to a set of accounts, from an account's page or in bulk from View Accounts. */
export type AccountAction =
  | { kind: 'add-tag'; tagId: string }
  | { kind: 'remove-tag'; tagId: string }
  | { kind: 'move-group'; groupId: string }
  | { kind: 'deactivate' }
  | { kind: 'reactivate' }
  | { kind: 'delete' };

export type AccountActionKind = AccountAction['kind'];

export const ACCOUNT_ACTION_KINDS: readonly AccountActionKind[] = ['add-tag', 'remove-tag', 'move-group', 'deactivate', 'reactivate', 'delete'];

/** Each builder's statement answers one row: how many accounts it changed. */
export interface ChangedRow extends Record<string, unknown> {
  changed: number;
}

/**
 * `select a.id from accounts a where ...`: the accounts among `which` (a condition on `accounts a`)
 * that the actor may act on. Group administrators act on the learners of their groups only;
 * nobody deactivates or deletes their own account.
 */
export function actionableAccountsSql(actor: Actor, which: SQL, action: AccountActionKind): SQL {
  const learnersOnly = actor.isSystemAdmin ? sql`true` : sql`a.kind = 'user'`;
  const notSelf = action === 'deactivate' || action === 'delete' ? sql`a.id <> ${actor.id}` : sql`true`;
  return sql`select a.id from accounts a where ${accountScopeSql(actor, 'a')} and ${which} and ${learnersOnly} and ${notSelf}`;
}

/** The tag is the organisation's (tags are shared by the whole organisation). */
function tagOfOrganisation(actor: Actor, tagId: string): SQL {
  return sql`exists (select 1 from tags t where t.id = ${tagId} and t.organisation_id = ${actor.organisationId})`;
}

/**
 * Adds the tag to the targets that lack it. A plain insert of the rows the anti-join finds is about
 * twice as fast as ON CONFLICT DO NOTHING's speculative insertion at 100k rows; a writer adding the
 * same pair at the same moment makes it fail with a unique violation, and then the caller runs it
 * again with onConflict (applyAccountAction does).
 */
export function addTagSql(actor: Actor, targets: SQL, tagId: string, options: { onConflict?: boolean } = {}): SQL {
  return sql`
    with added as (
      insert into account_tags (account_id, tag_id)
      select x.id, ${tagId}::uuid from (${targets}) x
      where ${tagOfOrganisation(actor, tagId)}
        and not exists (select 1 from account_tags o where o.account_id = x.id and o.tag_id = ${tagId}::uuid)
      ${options.onConflict ? sql`on conflict do nothing` : sql``}
      returning 1)
    select count(*)::int as changed from added`;
}

export function removeTagSql(actor: Actor, targets: SQL, tagId: string): SQL {
  return sql`
    with removed as (
      delete from account_tags at where at.tag_id = ${tagId} and at.account_id in (${targets}) and ${tagOfOrganisation(actor, tagId)}
      returning 1)
    select count(*)::int as changed from removed`;
}

/** The group must be one the actor may place accounts in. */
export function moveGroupSql(actor: Actor, targets: SQL, groupId: string): SQL {
  return sql`
    with moved as (
      update accounts a set group_id = ${groupId}, updated_at = now()
      where a.id in (${targets}) and a.group_id is distinct from ${groupId}::uuid
        and exists (select 1 from groups g where g.id = ${groupId} and ${groupScopeSql(actor, 'g')})
      returning 1)
    select count(*)::int as changed from moved`;
}

/** Deactivated accounts are signed out everywhere in the same statement. */
export function deactivateSql(targets: SQL): SQL {
  return sql`
    with deactivated as (
      update accounts a set deactivated_at = now(), updated_at = now()
      where a.id in (${targets}) and a.deactivated_at is null
      returning a.id),
    signed_out as (delete from sessions s using deactivated d where s.account_id = d.id)
    select count(*)::int as changed from deactivated`;
}

export function reactivateSql(targets: SQL): SQL {
  return sql`
    with reactivated as (
      update accounts a set deactivated_at = null, updated_at = now()
      where a.id in (${targets}) and a.deactivated_at is not null
      returning 1)
    select count(*)::int as changed from reactivated`;
}

/** Tags, sessions, group memberships, assignments and their progress go with the accounts (sql/0005, 0012). */
export function deleteSql(targets: SQL): SQL {
  return sql`
    with deleted as (delete from accounts a where a.id in (${targets}) returning 1)
    select count(*)::int as changed from deleted`;
}

/** True while the organisation still has an active system administrator. */
export function hasActiveSystemAdminSql(organisationId: string): SQL {
  return sql`select exists (
    select 1 from accounts a where a.organisation_id = ${organisationId} and a.is_system_admin and a.deactivated_at is null) as ok`;
}
