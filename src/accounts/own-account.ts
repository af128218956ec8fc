import { and, eq, ne, sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { accounts, sessions } from '../db/schema/index.js';
import { passwordProblem } from '../auth/passwords.js';
import { ConflictError, ValidationError } from '../errors.js';
import { normaliseEmail, emailProblem } from './email.js';
import { recordAudit } from '../audit.js';

/**
 * Changes the actor's own password. `currentPassword` is required unless the account was told to
 * set a new one at sign-in (it has just proved it knows the old one). Other sessions are ended.
 */
export async function changeOwnPassword(
  ctx: Ctx,
  input: { currentPassword: string | null; newPassword: string; confirmPassword: string; keepSessionId: string },
): Promise<void> {
  const [account] = await ctx.db
    .select({ hash: accounts.passwordHash, mustChange: accounts.mustChangePassword })
    .from(accounts)
    .where(eq(accounts.id, ctx.actor.id));
  if (!account) throw new ValidationError('Your account could not be found. Sign in again.');
  const fields: Record<string, string> = {};
  if (!account.mustChange && !(await ctx.passwords.verify(account.hash, input.currentPassword ?? ''))) {
    fields.currentPassword = 'Your current password is not right.';
  }
  const problem = passwordProblem(input.newPassword);
  if (problem) fields.newPassword = problem;
  else if (input.newPassword !== input.confirmPassword) fields.confirmPassword = 'The two new passwords are not the same.';
  else if (await ctx.passwords.verify(account.hash, input.newPassword))
    fields.newPassword = 'Choose a password different from the one you have now.';
  if (Object.keys(fields).length) throw new ValidationError('Your password was not changed.', fields);

  const hash = await ctx.passwords.hash(input.newPassword);
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(accounts)
      .set({ passwordHash: hash, mustChangePassword: false, updatedAt: sql`now()` })
      .where(eq(accounts.id, ctx.actor.id));
    await tx.delete(sessions).where(and(eq(sessions.accountId, ctx.actor.id), ne(sessions.id, input.keepSessionId)));
    await recordAudit(tx, ctx.actor, 'account.password_changed', { subjectType: 'account', subjectId: ctx.actor.id });
  });
}

/** Changes the actor's own email, after checking the current password. */
export async function changeOwnEmail(ctx: Ctx, input: { email: string; currentPassword: string }): Promise<string> {
  const email = normaliseEmail(input.email);
  const fields: Record<string, string> = {};
  const problem = emailProblem(email);
  if (problem) fields.email = problem;
  const [account] = await ctx.db.select({ hash: accounts.passwordHash }).from(accounts).where(eq(accounts.id, ctx.actor.id));
  if (!(await ctx.passwords.verify(account?.hash ?? null, input.currentPassword))) {
    fields.emailCurrentPassword = 'Your current password is not right.';
  }
  if (Object.keys(fields).length) throw new ValidationError('Your email was not changed.', fields);
  try {
    await ctx.db.transaction(async (tx) => {
      await tx.update(accounts).set({ email, updatedAt: sql`now()` }).where(eq(accounts.id, ctx.actor.id));
      await recordAudit(tx, ctx.actor, 'account.email_changed', {
        subjectType: 'account',
        subjectId: ctx.actor.id,
        details: { from: ctx.actor.email, to: email },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError('Another account in your organisation already uses that email.');
    throw error;
  }
  return email;
}

export function isUniqueViolation(error: unknown): boolean {
  let e: unknown = error;
  for (let i = 0; i < 3 && e; i++) {
    if (typeof e === 'object' && e !== null && (e as { code?: string }).code === '23505') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
