import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit.js';
import { passwordProblem } from '../auth/passwords.js';
import type { Ctx } from '../context.js';
import type { DbHandle } from '../db/client.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import { applyAccountAction } from './account-actions.js';
import type { AccountAction } from './account-actions-sql.js';
import { getAccountDetails, type AccountDetails } from './account-page.js';
import { accountGroupProblem, nameAndEmailProblems } from './create-account.js';
import { normaliseEmail } from './email.js';
import { isUniqueViolation } from './own-account.js';
import { toUuidArray } from './scope.js';
import { isUuid } from '../ids.js';

/** The account, if the actor may change it; otherwise NotFoundError (out of scope) or ForbiddenError. */
export async function changeableAccount(ctx: Ctx, id: string): Promise<AccountDetails> {
  const account = await getAccountDetails(ctx, id);
  if (!account.canChange) throw new ForbiddenError('Only system administrators can change administrator accounts.');
  return account;
}

export interface EditAccountInput {
  firstName: string;
  lastName: string;
  email: string;
  groupId: string;
  tagIds: string[];
}

/**
 * Saves an account's name, email, group and tags, with Create Account's rules. The tags chosen
 * replace the account's tags; every id is checked against the organisation in the same statement.
 */
export async function editAccount(ctx: Ctx, id: string, input: EditAccountInput): Promise<void> {
  const account = await changeableAccount(ctx, id);
  const firstName = input.firstName.trim();
  const lastName = input.lastName.trim();
  const email = normaliseEmail(input.email);
  const groupId = input.groupId || null;
  const fields = nameAndEmailProblems(firstName, lastName, email);
  const groupError = accountGroupProblem(ctx.actor, account.kind, groupId);
  if (groupError) fields.groupId = groupError;
  const tagIds = [...new Set(input.tagIds)];
  if ([groupId, ...tagIds].some((x) => x !== null && !isUuid(x)))
    throw new ValidationError('The form was changed in a way we cannot use. Reload the page and try again.');
  if (Object.keys(fields).length) throw new ValidationError('The account was not saved.', fields);
  try {
    await ctx.db.transaction(async (tx) => {
      await checkGroupAndTags(tx, ctx, groupId, tagIds);
      await tx.execute(sql`
        update accounts set first_name = ${firstName}, last_name = ${lastName}, email = ${email}, group_id = ${groupId}, updated_at = now()
        where id = ${account.id} and organisation_id = ${ctx.actor.organisationId}`);
      await tx.execute(sql`delete from account_tags where account_id = ${account.id} and tag_id <> all(${toUuidArray(tagIds)})`);
      await tx.execute(
        sql`insert into account_tags (account_id, tag_id) select ${account.id}, unnest(${toUuidArray(tagIds)}) on conflict do nothing`,
      );
      await recordAudit(tx, ctx.actor, 'account.edited', {
        subjectType: 'account',
        subjectId: account.id,
        details: changedFields(account, { firstName, lastName, email, groupId, tagIds }),
      });
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ValidationError('The account was not saved.', { email: 'An account with this email already exists in your organisation.' });
    throw error;
  }
}

async function checkGroupAndTags(tx: DbHandle, ctx: Ctx, groupId: string | null, tagIds: string[]): Promise<void> {
  const [check] = await tx.execute<{ groups: number; tags: number }>(sql`
    select (select count(*)::int from groups where organisation_id = ${ctx.actor.organisationId} and id = ${groupId}) as groups,
      (select count(*)::int from tags where organisation_id = ${ctx.actor.organisationId} and id = any(${toUuidArray(tagIds)})) as tags`);
  if ((groupId && check!.groups !== 1) || check!.tags !== tagIds.length) {
    throw new ValidationError('A group or tag you chose no longer exists. Reload the page and try again.');
  }
}

/** What an edit changed, for the audit log: field names only, never the values of an email. */
function changedFields(
  before: AccountDetails,
  after: { firstName: string; lastName: string; email: string; groupId: string | null; tagIds: string[] },
): Record<string, unknown> {
  const changed: string[] = [];
  if (before.firstName !== after.firstName || before.lastName !== after.lastName) changed.push('name');
  if (before.email !== after.email) changed.push('email');
  if (before.groupId !== after.groupId) changed.push('group');
  const tagsBefore = before.tags
    .map((t) => t.id)
    .sort()
    .join(',');
  if (tagsBefore !== [...after.tagIds].sort().join(',')) changed.push('tags');
  return { changed };
}

/** An administrator sets an account's password; its sessions end (except the actor's own current one). */
export async function setAccountPassword(
  ctx: Ctx,
  id: string,
  input: { password: string; confirmPassword: string; mustChangePassword: boolean; keepSessionId: string | null },
): Promise<void> {
  const account = await changeableAccount(ctx, id);
  const problem = passwordProblem(input.password);
  if (problem) throw new ValidationError('The password was not changed.', { password: problem });
  if (input.password !== input.confirmPassword)
    throw new ValidationError('The password was not changed.', { confirmPassword: 'The two passwords are not the same.' });
  const hash = await ctx.passwords.hash(input.password);
  await ctx.db.transaction(async (tx) => {
    await tx.execute(
      sql`update accounts set password_hash = ${hash}, must_change_password = ${input.mustChangePassword}, updated_at = now() where id = ${account.id}`,
    );
    await tx.execute(sql`delete from sessions where account_id = ${account.id} and id is distinct from ${input.keepSessionId}`);
    await recordAudit(tx, ctx.actor, 'account.password_set', {
      subjectType: 'account',
      subjectId: account.id,
      details: { mustChangePassword: input.mustChangePassword },
    });
  });
}

/** Ends every session of the account (the actor's own current one stays when it is their account). */
export async function signOutEverywhere(ctx: Ctx, id: string, keepSessionId: string | null): Promise<number> {
  const account = await changeableAccount(ctx, id);
  return ctx.db.transaction(async (tx) => {
    const rows = await tx.execute<{ id: string }>(
      sql`delete from sessions where account_id = ${account.id} and id is distinct from ${keepSessionId} returning id`,
    );
    await recordAudit(tx, ctx.actor, 'account.signed_out_everywhere', {
      subjectType: 'account',
      subjectId: account.id,
      details: { sessions: rows.length },
    });
    return rows.length;
  });
}

type StatusAction = Extract<AccountAction, { kind: 'deactivate' | 'reactivate' | 'delete' }>['kind'];

/**
 * Deactivate, reactivate or delete one account: the same set-based function as the bulk actions,
 * given one id. Refused with a reason when it would change nothing the person expects.
 */
export async function changeAccountStatus(ctx: Ctx, id: string, kind: StatusAction): Promise<void> {
  const account = await changeableAccount(ctx, id);
  if (account.isSelf && kind !== 'reactivate') {
    throw new ValidationError(kind === 'delete' ? 'You cannot delete your own account.' : 'You cannot deactivate your own account.');
  }
  await ctx.db.transaction(async (tx) => {
    const { changed } = await applyAccountAction(tx, ctx.actor, { kind }, sql`a.id = ${account.id}`);
    if (changed === 0 && kind !== 'delete') return;
    const action = { deactivate: 'account.deactivated', reactivate: 'account.reactivated', delete: 'account.deleted' }[kind];
    const details = kind === 'delete' ? { name: `${account.firstName} ${account.lastName}` } : {};
    await recordAudit(tx, ctx.actor, action, { subjectType: 'account', subjectId: account.id, details });
  });
}

/** What goes with an account when it is deleted, for its confirmation page. */
export async function deletionSummary(
  ctx: Ctx,
  id: string,
): Promise<{ account: AccountDetails; assignments: number; unitsWithProgress: number }> {
  const account = await changeableAccount(ctx, id);
  const [row] = await ctx.db.execute<{ assignments: number; units: number }>(sql`
    select (select count(*)::int from assignments where account_id = ${account.id}) as assignments,
      (select count(*)::int from unit_assignments where account_id = ${account.id}) as units`);
  return { account, assignments: row!.assignments, unitsWithProgress: row!.units };
}
