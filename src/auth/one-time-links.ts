import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit.js';
import type { Services } from '../context.js';
import { randomToken, sha256Hex } from '../crypto-tokens.js';
import type { DbHandle } from '../db/client.js';

/**
 * One-time links, whatever they are for: the operator's sign-in link for a new organisation's
 * first administrator, and the password-reset email. Each is a random token handed to one person
 * (printed once, or in one email); only its SHA-256 is stored, and neither the token nor the link
 * is ever logged. A link works once, before it expires; using it sets the account's password and
 * ends the account's other sessions, in one transaction.
 */
export type OneTimeLinkPurpose = 'sign_in' | 'password_reset';

/** Tokens are randomToken()'s base64url; anything else is not looked up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

/**
 * Issues a link in the caller's transaction and returns its token (the only copy). With
 * replaceEarlier, the account's unused links for the same purpose stop working.
 */
export async function issueOneTimeLink(
  tx: DbHandle,
  input: {
    purpose: OneTimeLinkPurpose;
    accountId: string;
    organisationId: string;
    createdBy?: string | null;
    seconds: number;
    replaceEarlier?: boolean;
  },
): Promise<string> {
  const token = randomToken();
  if (input.replaceEarlier) {
    await tx.execute(sql`
      update one_time_links set used_at = now()
      where account_id = ${input.accountId} and purpose = ${input.purpose} and used_at is null`);
  }
  await tx.execute(sql`
    insert into one_time_links (token_hash, purpose, account_id, organisation_id, created_by, expires_at)
    values (${await sha256Hex(token)}, ${input.purpose}, ${input.accountId}, ${input.organisationId}, ${input.createdBy ?? null},
            now() + make_interval(secs => ${input.seconds}))`);
  return token;
}

export interface LiveLink {
  accountId: string;
  organisationId: string;
  email: string;
  firstName: string;
}

/** The account a live (unused, unexpired) link is for; null for any other token. */
export async function findOneTimeLink(
  services: Pick<Services, 'db'>,
  purpose: OneTimeLinkPurpose,
  token: string,
): Promise<LiveLink | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const [row] = await services.db.execute<{ account_id: string; organisation_id: string; email: string; first_name: string }>(sql`
    select l.account_id, l.organisation_id, a.email, a.first_name
    from one_time_links l join accounts a on a.id = l.account_id and a.organisation_id = l.organisation_id
    where l.token_hash = ${await sha256Hex(token)} and l.purpose = ${purpose} and l.used_at is null and l.expires_at > now()`);
  return row ? { accountId: row.account_id, organisationId: row.organisation_id, email: row.email, firstName: row.first_name } : null;
}

/**
 * Uses a live link to set the account's password (already hashed): the link is spent (the update
 * that spends it is the check, so two uses at once cannot both pass), the password set, every
 * session of the account ended and the use audited, in one transaction. Null when the link is not live.
 */
export async function setPasswordWithLink(
  services: Pick<Services, 'db'>,
  input: { purpose: OneTimeLinkPurpose; token: string; passwordHash: string; auditAction: string },
): Promise<{ accountId: string } | null> {
  if (!TOKEN_SHAPE.test(input.token)) return null;
  const tokenHash = await sha256Hex(input.token);
  return services.db.transaction(async (tx) => {
    const [spent] = await tx.execute<{ account_id: string; organisation_id: string }>(sql`
      update one_time_links set used_at = now()
      where token_hash = ${tokenHash} and purpose = ${input.purpose} and used_at is null and expires_at > now()
      returning account_id, organisation_id`);
    if (!spent) return null;
    await tx.execute(sql`
      update accounts set password_hash = ${input.passwordHash}, must_change_password = false, updated_at = now()
      where id = ${spent.account_id} and organisation_id = ${spent.organisation_id}`);
    await tx.execute(sql`delete from sessions where account_id = ${spent.account_id}`);
    await recordAudit(tx, { id: spent.account_id, organisationId: spent.organisation_id }, input.auditAction, {
      subjectType: 'account',
      subjectId: spent.account_id,
    });
    return { accountId: spent.account_id };
  });
}
