import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit.js';
import { findOneTimeLink, issueOneTimeLink, setPasswordWithLink } from '../auth/one-time-links.js';
import { passwordProblem } from '../auth/passwords.js';
import type { Ctx, Services } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { queueEmail } from '../mail/outbox.js';
import { passwordResetEmail } from '../mail/password-reset-email.js';
import { changeableAccount } from './account-changes.js';

export const RESET_LINK_SECONDS = 60 * 60;
const INVALID_LINK = 'This password link has expired or was already used. Ask your administrator to send a new one.';

/**
 * Sends the account a single-use link to choose a new password, through the outbox (a one-time
 * link, src/auth/one-time-links.ts: only the SHA-256 of the token is stored; the link exists in
 * the email alone and is never logged). An earlier unused link of the account stops working.
 */
export async function sendPasswordReset(ctx: Ctx, id: string): Promise<void> {
  const account = await changeableAccount(ctx, id);
  await ctx.db.transaction(async (tx) => {
    const token = await issueOneTimeLink(tx, {
      purpose: 'password_reset',
      accountId: account.id,
      organisationId: ctx.actor.organisationId,
      createdBy: ctx.actor.id,
      seconds: RESET_LINK_SECONDS,
      replaceEarlier: true,
    });
    const [org] = await tx.execute<{ name: string }>(sql`select name from organisations where id = ${ctx.actor.organisationId}`);
    await queueEmail(
      tx,
      passwordResetEmail({
        organisationId: ctx.actor.organisationId,
        organisationName: org!.name,
        to: account.email,
        firstName: account.firstName,
        link: `${ctx.appUrl}/reset-password/${token}`,
      }),
    );
    await recordAudit(tx, ctx.actor, 'account.password_reset_sent', { subjectType: 'account', subjectId: account.id });
  });
}

/** The account a live link is for (its first name and email, for the page), or NotFoundError. */
export async function readPasswordReset(services: Services, token: string): Promise<{ firstName: string; email: string }> {
  const link = await findOneTimeLink(services, 'password_reset', token);
  if (!link) throw new NotFoundError(INVALID_LINK);
  return { firstName: link.firstName, email: link.email };
}

/**
 * Sets the new password from a live link: the link is used up and every session of the account
 * ends, in one transaction; the same link cannot be used twice, even at once.
 */
export async function completePasswordReset(
  services: Services,
  input: { token: string; password: string; confirmPassword: string },
): Promise<void> {
  await readPasswordReset(services, input.token);
  const problem = passwordProblem(input.password);
  if (problem) throw new ValidationError('Your password was not changed.', { password: problem });
  if (input.password !== input.confirmPassword)
    throw new ValidationError('Your password was not changed.', { confirmPassword: 'The two passwords are not the same.' });
  const passwordHash = await services.passwords.hash(input.password);
  const used = await setPasswordWithLink(services, {
    purpose: 'password_reset',
    token: input.token,
    passwordHash,
    auditAction: 'account.password_reset_used',
  });
  if (!used) throw new NotFoundError(INVALID_LINK);
}
