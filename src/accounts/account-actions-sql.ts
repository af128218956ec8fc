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

export const ACCOUNT_ACTION_KINDS: readonly AccountActionKind[] = [
  'add-tag',
  'remove-tag',
  'move-group',
  'deactivate',
  'reactivate',
  'delete',
];

/** Each builder's statement answers one row: how many accounts it changed. */
export interface ChangedRow extends Record<string, unknown> {
  changed: number;
}

/**
 * The bulk action whose changes are being made: each changed account gets a bulk_action_accounts
 * row (its page's history line), written by the same statement that changes it.
 */
export interface BulkRecord {
  bulkActionId: string;
}

/** Each action's line on an account's page (views/pages/account.tsx has the words): audit_log's action, or a bulk action's. */
export const HISTORY_ACTION_OF: Record<AccountActionKind, string> = {
  'add-tag': 'account.tag_added',
  'remove-tag': 'account.tag_removed',
  'move-group': 'account.moved_to_group',
  deactivate: 'account.deactivated',
  reactivate: 'account.reactivated',
  delete: 'account.deleted',
};

/** The end of every builder's statement: `changed` (a CTE of account_id) counted, and recorded for a bulk action. */
function countChanged(bulk: BulkRecord | undefined): SQL {
  const recorded = bulk
    ? sql`, recorded as (
        insert into bulk_action_accounts (account_id, bulk_action_id) select c.account_id, ${bulk.bulkActionId}::uuid from changed c)`
    : sql``;
  return sql`${recorded} select count(*)::int as changed from changed`;
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
export function addTagSql(actor: Actor, targets: SQL, tagId: string, options: { onConflict?: boolean; bulk?: BulkRecord } = {}): SQL {
  return sql`
    with changed as (
      insert into account_tags (account_id, tag_id)
      select x.id, ${tagId}::uuid from (${targets}) x
      where ${tagOfOrganisation(actor, tagId)}
        and not exists (select 1 from account_tags o where o.account_id = x.id and o.tag_id = ${tagId}::uuid)
      ${options.onConflict ? sql`on conflict do nothing` : sql``}
      returning account_id)
    ${countChanged(options.bulk)}`;
}

export function removeTagSql(actor: Actor, targets: SQL, tagId: string, bulk?: BulkRecord): SQL {
  return sql`
    with changed as (
      delete from account_tags at where at.tag_id = ${tagId} and at.account_id in (${targets}) and ${tagOfOrganisation(actor, tagId)}
      returning at.account_id)
    ${countChanged(bulk)}`;
}

/** The group must be one the actor may place accounts in. */
export function moveGroupSql(actor: Actor, targets: SQL, groupId: string, bulk?: BulkRecord): SQL {
  return sql`
    with changed as (
      update accounts a set group_id = ${groupId}, updated_at = now()
      where a.id in (${targets}) and a.group_id is distinct from ${groupId}::uuid
        and exists (select 1 from groups g where g.id = ${groupId} and ${groupScopeSql(actor, 'g')})
      returning a.id as account_id)
    ${countChanged(bulk)}`;
}

/** Deactivated accounts are signed out everywhere in the same statement. */
export function deactivateSql(targets: SQL, bulk?: BulkRecord): SQL {
  return sql`
    with changed as (
      update accounts a set deactivated_at = now(), updated_at = now()
      where a.id in (${targets}) and a.deactivated_at is null
      returning a.id as account_id),
    signed_out as (delete from sessions s using changed d where s.account_id = d.account_id)
    ${countChanged(bulk)}`;
}

export function reactivateSql(targets: SQL, bulk?: BulkRecord): SQL {
  return sql`
    with changed as (
      update accounts a set deactivated_at = null, updated_at = now()
      where a.id in (${targets}) and a.deactivated_at is not null
      returning a.id as account_id)
    ${countChanged(bulk)}`;
}

/** Tags, sessions, group memberships, assignments and their progress go with the accounts (sql/0005, 0012). */
export function deleteSql(targets: SQL, bulk?: BulkRecord): SQL {
  return sql`
    with changed as (delete from accounts a where a.id in (${targets}) returning a.id as account_id)
    ${countChanged(bulk)}`;
}

/** True while the organisation still has an active system administrator. */
export function hasActiveSystemAdminSql(organisationId: string): SQL {
  return sql`select exists (
    select 1 from accounts a where a.organisation_id = ${organisationId} and a.is_system_admin and a.deactivated_at is null) as ok`;
}
