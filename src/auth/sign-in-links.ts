import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit.js';
import type { Services } from '../context.js';
import { randomToken, sha256Hex } from '../crypto-tokens.js';
import type { Db } from '../db/client.js';
import { ValidationError } from '../errors.js';
import { passwordProblem } from './passwords.js';

/** How long a one-time sign-in link works. */
export const SIGN_IN_LINK_HOURS = 72;

export const EXPIRED_LINK = 'This sign-in link has expired or was already used. Ask whoever sent it for a new one.';

/** Creates a one-time sign-in link for an account, in the caller's transaction. Returns the raw token (only its hash is kept). */
export async function createSignInLink(tx: Pick<Db, 'execute'>, input: { accountId: string; organisationId: string }): Promise<string> {
  const token = randomToken();
  await tx.execute(sql`
    insert into sign_in_links (token_hash, account_id, organisation_id, expires_at)
    values (${await sha256Hex(token)}, ${input.accountId}, ${input.organisationId}, now() + make_interval(hours => ${SIGN_IN_LINK_HOURS}))`);
  return token;
}

export function signInLinkUrl(appUrl: string, token: string): string {
  return `${appUrl.replace(/\/$/, '')}/sign-in/link/${token}`;
}

/** The account a link signs in, while the link is unused and unexpired; null otherwise. */
export async function findSignInLink(services: Pick<Services, 'db'>, token: string): Promise<{ accountId: string; email: string } | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const [row] = await services.db.execute<{ account_id: string; email: string }>(sql`
    select l.account_id, a.email from sign_in_links l join accounts a on a.id = l.account_id and a.organisation_id = l.organisation_id
    where l.token_hash = ${await sha256Hex(token)} and l.used_at is null and l.expires_at > now()`);
  return row ? { accountId: row.account_id, email: row.email } : null;
}

/**
 * Uses a link: the person chooses a password, the link is spent (once: the update that spends
 * it is the check), and the account's other sessions end. Returns the account to sign in.
 */
export async function useSignInLink(services: Services, input: { token: string; newPassword: string; confirmPassword: string }): Promise<{ accountId: string }> {
  const problem = passwordProblem(input.newPassword);
  const fields: Record<string, string> = {};
  if (problem) fields.newPassword = problem;
  else if (input.newPassword !== input.confirmPassword) fields.confirmPassword = 'The two passwords are not the same.';
  if (Object.keys(fields).length) throw new ValidationError('Your password was not saved.', fields);
  const hash = await services.passwords.hash(input.newPassword);
  const tokenHash = await sha256Hex(input.token);
  return services.db.transaction(async (tx) => {
    const [spent] = await tx.execute<{ account_id: string; organisation_id: string }>(sql`
      update sign_in_links set used_at = now() where token_hash = ${tokenHash} and used_at is null and expires_at > now()
      returning account_id, organisation_id`);
    if (!spent) throw new ValidationError(EXPIRED_LINK);
    await tx.execute(sql`
      update accounts set password_hash = ${hash}, must_change_password = false, updated_at = now()
      where id = ${spent.account_id} and organisation_id = ${spent.organisation_id}`);
    await tx.execute(sql`delete from sessions where account_id = ${spent.account_id}`);
    await recordAudit(tx, { id: spent.account_id, organisationId: spent.organisation_id }, 'account.sign_in_link_used', {
      subjectType: 'account',
      subjectId: spent.account_id,
    });
    return { accountId: spent.account_id };
  });
}
