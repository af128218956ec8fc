import type { Services } from '../context.js';
import type { DbHandle } from '../db/client.js';
import { ValidationError } from '../errors.js';
import { findOneTimeLink, issueOneTimeLink, setPasswordWithLink } from './one-time-links.js';
import { passwordProblem } from './passwords.js';

/** How long a one-time sign-in link works. */
export const SIGN_IN_LINK_HOURS = 72;

export const EXPIRED_LINK = 'This sign-in link has expired or was already used. Ask whoever sent it for a new one.';

/** Creates a one-time sign-in link for an account, in the caller's transaction. Returns the raw token (only its hash is kept). */
export async function createSignInLink(tx: DbHandle, input: { accountId: string; organisationId: string }): Promise<string> {
  return issueOneTimeLink(tx, { purpose: 'sign_in', ...input, seconds: SIGN_IN_LINK_HOURS * 3600 });
}

export function signInLinkUrl(appUrl: string, token: string): string {
  return `${appUrl.replace(/\/$/, '')}/sign-in/link/${token}`;
}

/** The account a link signs in, while the link is unused and unexpired; null otherwise. */
export async function findSignInLink(services: Pick<Services, 'db'>, token: string): Promise<{ accountId: string; email: string } | null> {
  const link = await findOneTimeLink(services, 'sign_in', token);
  return link ? { accountId: link.accountId, email: link.email } : null;
}

/**
 * Uses a link: the person chooses a password, the link is spent (once), and the account's other
 * sessions end. Returns the account to sign in.
 */
export async function useSignInLink(
  services: Services,
  input: { token: string; newPassword: string; confirmPassword: string },
): Promise<{ accountId: string }> {
  const problem = passwordProblem(input.newPassword);
  const fields: Record<string, string> = {};
  if (problem) fields.newPassword = problem;
  else if (input.newPassword !== input.confirmPassword) fields.confirmPassword = 'The two passwords are not the same.';
  if (Object.keys(fields).length) throw new ValidationError('Your password was not saved.', fields);
  const passwordHash = await services.passwords.hash(input.newPassword);
  const used = await setPasswordWithLink(services, {
    purpose: 'sign_in',
    token: input.token,
    passwordHash,
    auditAction: 'account.sign_in_link_used',
  });
  if (!used) throw new ValidationError(EXPIRED_LINK);
  return used;
}
