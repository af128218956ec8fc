import type { SQL } from 'drizzle-orm';
import type { Actor } from '../context.js';
import type { DbHandle } from '../db/client.js';
import { ValidationError } from '../errors.js';
import {
  actionableAccountsSql,
  addTagSql,
  deactivateSql,
  deleteSql,
  hasActiveSystemAdminSql,
  moveGroupSql,
  reactivateSql,
  removeTagSql,
  type AccountAction,
  type ChangedRow,
  type BulkRecord,
} from './account-actions-sql.js';
import { isUuid } from '../ids.js';

/** A unique violation from PostgreSQL, as postgres.js raises it (drizzle may wrap it). */
function isUniqueViolation(error: unknown): boolean {
  for (let e = error as { code?: string; cause?: unknown } | undefined, depth = 0; e && depth < 3; e = e.cause as typeof e, depth++) {
    if (e.code === '23505') return true;
  }
  return false;
}

/**
 * Applies one action to the accounts `which` stands for (a condition on `accounts a`), in one
 * set-based statement, in the caller's transaction. The same function serves an account's page
 * (`a.id = :id`), a bulk action run at once and the run_bulk_action job. Accounts the actor may
 * not act on are left alone and counted as not changed by the caller.
 */
export async function applyAccountAction(
  tx: DbHandle,
  actor: Actor,
  action: AccountAction,
  which: SQL,
  bulk?: BulkRecord,
): Promise<{ changed: number }> {
  const targets = actionableAccountsSql(actor, which, action.kind);
  const [row] =
    action.kind === 'add-tag'
      ? await addTag(tx, actor, targets, action.tagId, bulk)
      : await tx.execute<ChangedRow>(actionSql(actor, action, targets, bulk));
  if (action.kind === 'deactivate' || action.kind === 'delete') await keepASystemAdmin(tx, actor);
  return { changed: row?.changed ?? 0 };
}

/** The fast plain insert in a savepoint; if someone added the same pair meanwhile, again skipping conflicts. */
async function addTag(tx: DbHandle, actor: Actor, targets: SQL, tagId: string, bulk: BulkRecord | undefined): Promise<ChangedRow[]> {
  try {
    return await tx.transaction((sp) => sp.execute<ChangedRow>(addTagSql(actor, targets, tagId, { bulk })));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return tx.execute<ChangedRow>(addTagSql(actor, targets, tagId, { onConflict: true, bulk }));
  }
}

function actionSql(actor: Actor, action: AccountAction, targets: SQL, bulk: BulkRecord | undefined): SQL {
  switch (action.kind) {
    case 'add-tag':
      return addTagSql(actor, targets, action.tagId, { bulk });
    case 'remove-tag':
      return removeTagSql(actor, targets, action.tagId, bulk);
    case 'move-group':
      return moveGroupSql(actor, targets, action.groupId, bulk);
    case 'deactivate':
      return deactivateSql(targets, bulk);
    case 'reactivate':
      return reactivateSql(targets, bulk);
    case 'delete':
      return deleteSql(targets, bulk);
  }
}

/**
 * The organisation's last active system administrator is never deactivated or deleted. The actor
 * is never among the targets, so this holds by construction; the check keeps it true should that
 * change, by refusing the whole statement.
 */
async function keepASystemAdmin(tx: DbHandle, actor: Actor): Promise<void> {
  const [row] = await tx.execute<{ ok: boolean }>(hasActiveSystemAdminSql(actor.organisationId));
  if (!row?.ok) {
    throw new ValidationError(
      'Nothing was changed: your organisation would be left without an active system administrator. Make another account a system administrator first.',
    );
  }
}

/** The action's words for people: the button, the result line, the audit log. */
export function actionLabel(kind: AccountAction['kind']): string {
  return {
    'add-tag': 'Add tag',
    'remove-tag': 'Remove tag',
    'move-group': 'Move to group',
    deactivate: 'Deactivate',
    reactivate: 'Reactivate',
    delete: 'Delete',
  }[kind];
}

/** Reads a posted action and its tag or group; null when it is not one we know. */
export function parseAccountAction(kind: string, values: { tagId?: string; groupId?: string }): AccountAction | null {
  switch (kind) {
    case 'add-tag':
    case 'remove-tag':
      if (!values.tagId) throw new ValidationError('Choose a tag.', { tagId: 'Choose a tag.' });
      if (!isUuid(values.tagId)) return null;
      return { kind, tagId: values.tagId };
    case 'move-group':
      if (!values.groupId) throw new ValidationError('Choose a group.', { groupId: 'Choose a group.' });
      if (!isUuid(values.groupId)) return null;
      return { kind, groupId: values.groupId };
    case 'deactivate':
    case 'reactivate':
    case 'delete':
      return { kind };
    default:
      return null;
  }
}
