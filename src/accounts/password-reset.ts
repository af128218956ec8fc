import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit.js';
import { passwordProblem } from '../auth/passwords.js';
import type { Ctx, Services } from '../context.js';
import { randomToken, sha256Hex } from '../crypto-tokens.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { queueEmail } from '../mail/outbox.js';
import { passwordResetEmail } from '../mail/password-reset-email.js';
import { changeableAccount } from './account-changes.js';

export const RESET_LINK_SECONDS = 60 * 60;
const INVALID_LINK = 'This password link has expired or was already used. Ask your administrator to send a new one.';

/**
 * Sends the account a single-use link to choose a new password, through the outbox. Only the
 * SHA-256 of the token is stored; the link exists in the email alone and is never logged.
 * An earlier unused link of the account stops working.
 */
export async function sendPasswordReset(ctx: Ctx, id: string): Promise<void> {
  const account = await changeableAccount(ctx, id);
  const token = randomToken();
  const tokenHash = await sha256Hex(token);
  await ctx.db.transaction(async (tx) => {
    await tx.execute(sql`update password_resets set used_at = now() where account_id = ${account.id} and used_at is null`);
    await tx.execute(sql`
      insert into password_resets (token_hash, account_id, organisation_id, created_by, expires_at)
      values (${tokenHash}, ${account.id}, ${ctx.actor.organisationId}, ${ctx.actor.id}, now() + make_interval(secs => ${RESET_LINK_SECONDS}))`);
    const [org] = await tx.execute<{ name: string }>(sql`select name from organisations where id = ${ctx.actor.organisationId}`);
    await queueEmail(
      tx,
      passwordResetEmail({ organisationId: ctx.actor.organisationId, organisationName: org!.name, to: account.email, firstName: account.firstName, link: `${ctx.appUrl}/reset-password/${token}` }),
    );
    await recordAudit(tx, ctx.actor, 'account.password_reset_sent', { subjectType: 'account', subjectId: account.id });
  });
}

/** The account a live link is for (its first name and email, for the page), or NotFoundError. */
export async function readPasswordReset(services: Services, token: string): Promise<{ firstName: string; email: string }> {
  if (!token || token.length > 100) throw new NotFoundError(INVALID_LINK);
  const [row] = await services.db.execute<{ first_name: string; email: string }>(sql`
    select a.first_name, a.email from password_resets r join accounts a on a.id = r.account_id
    where r.token_hash = ${await sha256Hex(token)} and r.used_at is null and r.expires_at > now()`);
  if (!row) throw new NotFoundError(INVALID_LINK);
  return { firstName: row.first_name, email: row.email };
}

/**
 * Sets the new password from a live link: the link is used up and every session of the account
 * ends, in one transaction. The row is locked so the same link cannot be used twice at once.
 */
export async function completePasswordReset(services: Services, input: { token: string; password: string; confirmPassword: string }): Promise<void> {
  await readPasswordReset(services, input.token);
  const problem = passwordProblem(input.password);
  if (problem) throw new ValidationError('Your password was not changed.', { password: problem });
  if (input.password !== input.confirmPassword) throw new ValidationError('Your password was not changed.', { confirmPassword: 'The two passwords are not the same.' });
  const hash = await services.passwords.hash(input.password);
  const tokenHash = await sha256Hex(input.token);
  await services.db.transaction(async (tx) => {
    const [reset] = await tx.execute<{ account_id: string; organisation_id: string }>(sql`
      update password_resets set used_at = now()
      where token_hash = ${tokenHash} and used_at is null and expires_at > now()
      returning account_id, organisation_id`);
    if (!reset) throw new NotFoundError(INVALID_LINK);
    await tx.execute(sql`update accounts set password_hash = ${hash}, must_change_password = false, updated_at = now() where id = ${reset.account_id}`);
    await tx.execute(sql`delete from sessions where account_id = ${reset.account_id}`);
    await recordAudit(tx, { id: reset.account_id, organisationId: reset.organisation_id }, 'account.password_reset_used', { subjectType: 'account', subjectId: reset.account_id });
  });
}
