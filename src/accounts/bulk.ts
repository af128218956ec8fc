import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit.js';
import { loadActor } from '../auth/actor.js';
import type { Actor, Ctx, Services } from '../context.js';
import type { Db, Tx } from '../db/client.js';
import { ForbiddenError, NotFoundError, ValidationError, validationErrorOrThrow } from '../errors.js';
import { addJobSql } from '../jobs.js';
import { queueEmail } from '../mail/outbox.js';
import { queueVacuumWrittenAccountsSql, VACUUM_AFTER_WRITTEN_ACCOUNTS } from './vacuum.js';
import { actionLabel, applyAccountAction } from './account-actions.js';
import type { AccountAction, AccountActionKind } from './account-actions-sql.js';
import {
  bulkActionScopeSql,
  insertBulkActionSql,
  lockBulkActionSql,
  selectBulkActionSql,
  stageBulkTargetsSql,
  type BulkActionRow,
} from './bulk-sql.js';
import { groupScopeSql } from './scope.js';
import { getSelection, selectionAccountsSql } from './selection.js';
import { isUuid } from '../ids.js';

/** Up to this many accounts a bulk action runs while the person waits; above, as a job with progress. */
export const BULK_INLINE_LIMIT = 5000;

export interface BulkActionView {
  id: string;
  action: AccountActionKind;
  targetName: string | null;
  status: BulkActionRow['status'];
  accounts: number;
  changedCount: number;
  skippedCount: number;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/**
 * Confirm on a bulk action's page: freezes the selection's accounts the actor may reach into a
 * bulk_actions row and, for up to BULK_INLINE_LIMIT accounts, applies it in the same transaction;
 * above that, enqueues run_bulk_action in the same transaction as its row.
 */
export async function confirmBulkAction(
  ctx: Ctx,
  input: { selectionId: string; action: AccountAction },
): Promise<{ bulkActionId: string; ranNow: boolean }> {
  requireAdministrator(ctx.actor);
  const selection = await getSelection(ctx, input.selectionId);
  return ctx.db.transaction(async (tx) => {
    const targetName = await targetNameOf(tx, ctx.actor, input.action);
    const tagId = 'tagId' in input.action ? input.action.tagId : null;
    const groupId = 'groupId' in input.action ? input.action.groupId : null;
    const [row] = await tx.execute<{ id: string; accounts: number }>(
      insertBulkActionSql(ctx.actor, selectionAccountsSql(ctx, selection), { action: input.action.kind, tagId, groupId, targetName }),
    );
    if (row!.accounts === 0)
      throw new ValidationError('None of the chosen accounts can be reached any more. Go back to View Accounts and choose again.');
    await recordAudit(tx, ctx.actor, 'accounts.bulk_action', {
      subjectType: 'bulk_action',
      subjectId: row!.id,
      details: { action: input.action.kind, tagId, groupId, accounts: row!.accounts },
    });
    if (row!.accounts <= BULK_INLINE_LIMIT) {
      await applyFrozen(tx, ctx.actor, row!.id, input.action);
      return { bulkActionId: row!.id, ranNow: true };
    }
    await tx.execute(addJobSql('run_bulk_action', { bulkActionId: row!.id }, { jobKey: `run_bulk_action:${row!.id}`, maxAttempts: 10 }));
    return { bulkActionId: row!.id, ranNow: false };
  });
}

function requireAdministrator(actor: Actor): void {
  if (actor.kind !== 'administrator') throw new ForbiddenError('Only administrators can change accounts.');
}

/** The tag's or group's name, checked to be one the actor may use; null for the other actions. */
async function targetNameOf(tx: Tx, actor: Actor, action: AccountAction): Promise<string | null> {
  if ('tagId' in action) {
    const [tag] = await tx.execute<{ name: string }>(
      sql`select name from tags where id = ${action.tagId} and organisation_id = ${actor.organisationId}`,
    );
    if (!tag) throw new ValidationError('That tag no longer exists. Choose another one.', { tagId: 'Choose a tag.' });
    return tag.name;
  }
  if ('groupId' in action) {
    const [group] = await tx.execute<{ name: string }>(
      sql`select g.name from groups g where g.id = ${action.groupId} and ${groupScopeSql(actor, 'g')}`,
    );
    if (!group) throw new ValidationError('Choose one of the groups you manage.', { groupId: 'Choose one of the groups you manage.' });
    return group.name;
  }
  return null;
}

/**
 * Applies a bulk action to its frozen accounts and records how it ended, in the caller's
 * transaction; each changed account's history gets a line (a bulk_action_accounts row), written
 * by the same statement. Deleted accounts need none.
 */
async function applyFrozen(tx: Tx, actor: Actor, bulkActionId: string, action: AccountAction): Promise<void> {
  await tx.execute(stageBulkTargetsSql(bulkActionId));
  await tx.execute(sql`analyze bulk_targets`);
  const bulk = action.kind === 'delete' ? undefined : { bulkActionId };
  const { changed } = await applyAccountAction(tx, actor, action, sql`a.id in (select id from bulk_targets)`, bulk);
  await tx.execute(sql`
    update bulk_actions set status = 'finished', started_at = coalesce(started_at, now()), finished_at = now(),
      changed_count = ${changed}, skipped_count = cardinality(account_ids) - ${changed}, error = null
    where id = ${bulkActionId}`);
  if (changed >= VACUUM_AFTER_WRITTEN_ACCOUNTS) await tx.execute(queueVacuumWrittenAccountsSql());
}

/**
 * The run_bulk_action job: one transaction, so a killed run leaves nothing and the next does it
 * all; a finished or failed action is not run again. The accounts are re-scoped to what the
 * administrator may reach now.
 */
export async function runBulkAction(services: Services, bulkActionId: string): Promise<'finished' | 'failed' | 'already-done' | 'missing'> {
  await services.db.execute(
    sql`update bulk_actions set status = 'running', started_at = coalesce(started_at, now()) where id = ${bulkActionId} and status = 'queued'`,
  );
  return services.db.transaction(async (tx) => {
    const [row] = await tx.execute<BulkActionRow & { organisation_id: string; created_by: string | null }>(lockBulkActionSql(bulkActionId));
    if (!row) return 'missing';
    if (row.status === 'finished' || row.status === 'failed') return 'already-done';
    const actor = row.created_by ? await loadActor({ db: tx as unknown as Db }, row.created_by) : null;
    const fail = async (error: string) => {
      await tx.execute(sql`update bulk_actions set status = 'failed', error = ${error}, finished_at = now() where id = ${bulkActionId}`);
      if (actor) await notify(tx, actor, row, error);
      return 'failed' as const;
    };
    if (actor?.kind !== 'administrator' || actor.organisationId !== row.organisation_id) {
      return fail('The administrator who asked for this no longer has an administrator account, so nothing was changed.');
    }
    const action = frozenAction(row);
    try {
      await tx.transaction((sp) => applyFrozen(sp, actor, bulkActionId, action));
    } catch (error) {
      return fail(validationErrorOrThrow(error).message);
    }
    const [done] = await tx.execute<{ changed_count: number }>(sql`select changed_count from bulk_actions where id = ${bulkActionId}`);
    await notify(tx, actor, { ...row, changed_count: done!.changed_count }, null);
    return 'finished' as const;
  });
}

function frozenAction(row: BulkActionRow): AccountAction {
  if (row.action === 'add-tag' || row.action === 'remove-tag') return { kind: row.action, tagId: row.tag_id! };
  if (row.action === 'move-group') return { kind: row.action, groupId: row.group_id! };
  return { kind: row.action };
}

/** Long work ends with an email to whoever asked (DESIGN rule 8). */
async function notify(tx: Tx, actor: Actor, row: BulkActionRow, error: string | null): Promise<void> {
  const what = `${actionLabel(row.action)}${row.target_name ? ` (${row.target_name})` : ''}`;
  const text = error
    ? `Your bulk action "${what}" on ${row.accounts} accounts did not run: ${error}`
    : `Your bulk action "${what}" on ${row.accounts} accounts is done: ${row.changed_count} changed, ${row.accounts - row.changed_count} left as they were.`;
  await queueEmail(tx, {
    organisationId: actor.organisationId,
    to: actor.email,
    subject: `Bulk action ${error ? 'failed' : 'done'}: ${what}`,
    text,
  });
}

export async function getBulkAction(ctx: Ctx, id: string): Promise<BulkActionView> {
  requireAdministrator(ctx.actor);
  if (!isUuid(id)) throw new NotFoundError('That bulk action does not exist.');
  const [row] = await ctx.db.execute<BulkActionRow>(selectBulkActionSql(sql`b.id = ${id} and ${bulkActionScopeSql(ctx.actor)}`));
  if (!row) throw new NotFoundError('That bulk action does not exist.');
  return {
    id: row.id,
    action: row.action,
    targetName: row.target_name,
    status: row.status,
    accounts: row.accounts,
    changedCount: row.changed_count,
    skippedCount: row.skipped_count,
    error: row.error,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}
