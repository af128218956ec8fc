import { sql as dsql } from 'drizzle-orm';
import type { Actor, Ctx, Services } from '../context.js';
import type { Tx } from '../db/client.js';
import { randomToken, safeEqual } from '../crypto-tokens.js';
import { ConflictError, DomainError, ValidationError } from '../errors.js';
import { recordAudit } from '../audit.js';
import { queueEmail } from '../mail/outbox.js';
import { GOOGLE_SCOPES, type GoogleConfig } from './config.js';
import { GoogleReconnectNeededError, NEEDS_RECONNECTING_MESSAGE } from './errors.js';
import {
  buildAuthUrl,
  classroomClient,
  connectionCacheKey,
  exchangeCode,
  OAuthExchangeError,
  pkcePair,
  rememberAccessToken,
  revokeToken,
  type ClassroomClient,
  type CodeExchange,
  type GoogleIdentity,
} from './google-client.js';
import { IdTokenError, logIdTokenRejected } from './id-token.js';
import { safeRedirectPath } from '../safe-redirect.js';
import { createTokenCipher } from './token-crypto.js';

/**
 * Connecting an administrator's Google account: the consent round trip (state bound to the
 * session, PKCE S256), the email match the help article asks for, the encrypted refresh token,
 * and withdrawing the consent.
 */

/** Kept in the session between "Connect" and Google's redirect back. */
export interface PendingConsent {
  state: string;
  verifier: string;
  returnTo: string;
  startedAt: number;
}

const CONSENT_MAX_AGE_MS = 10 * 60 * 1000;

export interface ConnectionStatus {
  googleEmail: string;
  googleUserId: string;
  status: 'active' | 'needs_reconnecting';
  statusMessage: string | null;
  connectedAt: Date;
}

/** The Google account's verified email is not the signed-in account's. */
export class EmailMismatchError extends DomainError {
  constructor(readonly googleEmail: string) {
    super(`Your Google account (${googleEmail}) does not have the same email address as your Rosterbridge account.`);
  }
}

/** The consent round trip could not be trusted or completed; nothing was stored. */
export class ConsentFailedError extends DomainError {}

/** Where the browser goes once connected: a path on our own origin (the redirect URI's), else the import page. */
function safeReturnTo(cfg: GoogleConfig, path: string | null | undefined): string {
  return safeRedirectPath(path, new URL(cfg.redirectUri).origin, '/classroom/import');
}

/** Starts the consent: what to keep in the session, and where to send the browser. */
export async function beginConsent(
  cfg: GoogleConfig,
  input: { returnTo?: string | null; loginHint?: string | null },
): Promise<{ pending: PendingConsent; url: string }> {
  const { verifier, challenge } = await pkcePair();
  const pending: PendingConsent = { state: randomToken(24), verifier, returnTo: safeReturnTo(cfg, input.returnTo), startedAt: Date.now() };
  return { pending, url: buildAuthUrl(cfg, { state: pending.state, codeChallenge: challenge, loginHint: input.loginHint ?? null }) };
}

function checkPending(pending: PendingConsent | null, state: string | undefined): PendingConsent {
  if (!pending || !state || !safeEqual(state, pending.state) || Date.now() - pending.startedAt > CONSENT_MAX_AGE_MS) {
    throw new ConsentFailedError(
      'This Google sign-in was not started from this browser session, or it took too long. Nothing was connected. Start again with Connect to Google Classroom.',
    );
  }
  return pending;
}

/**
 * The code exchange, with what went wrong said in words (and logged without any token): the
 * token endpoint's refusal, or which check of the ID token failed.
 */
export async function exchangeOrExplain(
  cfg: GoogleConfig,
  input: { code: string; codeVerifier: string },
  next: string,
): Promise<CodeExchange> {
  try {
    return await exchangeCode(cfg, input);
  } catch (error) {
    if (error instanceof IdTokenError) {
      logIdTokenRejected(error, cfg);
      throw new ConsentFailedError(`Google’s answer could not be trusted: ${error.message}. Nothing was changed. ${next}`);
    }
    if (error instanceof OAuthExchangeError) {
      console.warn(JSON.stringify({ event: 'google.code_exchange_refused', error: error.error, tokenUrl: cfg.tokenUrl }));
      throw new ConsentFailedError(`${error.message}. Nothing was changed. ${next}`);
    }
    throw error;
  }
}

/** Google lets people untick permissions on its consent screen; without these, nothing works. */
function missingScopes(granted: string[]): string[] {
  return GOOGLE_SCOPES.filter((scope) => scope.includes('classroom') && granted.length > 0 && !granted.includes(scope));
}

/** Stores the connection (a refresh token only on a fresh consent); returns what identifies its token. */
async function storeConnection(
  tx: Tx,
  actor: Actor,
  identity: GoogleIdentity,
  encrypted: string | null,
  scopes: string[],
): Promise<{ id: string; refresh_token_encrypted: string }> {
  const taken = await tx.execute<{ account_id: string }>(dsql`
    select account_id from google_connections
    where organisation_id = ${actor.organisationId} and google_user_id = ${identity.googleUserId} and account_id <> ${actor.id}`);
  if (taken.length)
    throw new ConflictError('This Google account is already connected to another Rosterbridge account in your organisation.');
  const stored = encrypted
    ? await tx.execute<{ id: string; refresh_token_encrypted: string }>(dsql`
        insert into google_connections (organisation_id, account_id, google_user_id, google_email, refresh_token_encrypted, scopes)
        values (${actor.organisationId}, ${actor.id}, ${identity.googleUserId}, ${identity.email}, ${encrypted},
                array(select jsonb_array_elements_text(${JSON.stringify(scopes)}::jsonb)))
        on conflict (account_id) do update set google_user_id = excluded.google_user_id, google_email = excluded.google_email,
          refresh_token_encrypted = excluded.refresh_token_encrypted, scopes = excluded.scopes, status = 'active',
          status_message = null, connected_at = now(), updated_at = now()
        returning id, refresh_token_encrypted`)
    : // Google only sends a refresh token on a fresh consent; keep the one we have.
      await tx.execute<{ id: string; refresh_token_encrypted: string }>(dsql`
        update google_connections set status = 'active', status_message = null, google_email = ${identity.email}, updated_at = now()
        where account_id = ${actor.id} and google_user_id = ${identity.googleUserId} returning id, refresh_token_encrypted`);
  if (!stored[0])
    throw new ConsentFailedError('Google did not grant offline access. Start again with Connect to Google Classroom and choose Allow.');
  // Links waiting for this teacher to reconnect can sync again.
  await tx.execute(dsql`
    update classroom_course_links set sync_state = 'ok', sync_message = null
    where owner_id = ${actor.id} and sync_state = 'needs_reconnecting'`);
  await recordAudit(tx, actor, 'classroom.connected', { details: { googleEmail: identity.email } });
  return stored[0];
}

/**
 * Google sent the browser back. Checks state against the session's pending consent, trades the
 * code (with the PKCE verifier), checks the verified email, and stores the encrypted refresh token.
 * The exchange's access token is kept for the Classroom calls that follow.
 */
export async function completeConsent(
  ctx: Ctx,
  cfg: GoogleConfig,
  input: { pending: PendingConsent | null; state: string | undefined; code: string | undefined; error: string | undefined },
): Promise<{ returnTo: string; googleEmail: string }> {
  const pending = checkPending(input.pending, input.state);
  if (input.error) {
    throw new ConsentFailedError(
      'Google Classroom was not connected because access was not allowed. To import from Google Classroom, connect again and choose Allow.',
    );
  }
  if (!input.code) throw new ConsentFailedError('Google did not send an authorization code. Start again with Connect to Google Classroom.');
  const result = await exchangeOrExplain(
    cfg,
    { code: input.code, codeVerifier: pending.verifier },
    'Start again with Connect to Google Classroom.',
  );
  const { identity } = result;
  const revoke = async () => {
    if (result.refreshToken) await revokeToken(cfg, result.refreshToken).catch(() => undefined);
  };
  if (!identity.emailVerified || identity.email.trim().toLowerCase() !== ctx.actor.email.trim().toLowerCase()) {
    await revoke();
    throw new EmailMismatchError(identity.email);
  }
  if (missingScopes(result.scopes).length) {
    await revoke();
    throw new ConsentFailedError(
      'Rosterbridge needs permission to view your Google Classroom classes, their rosters and your students’ email addresses. Nothing was connected. Connect again and allow every permission it asks for.',
    );
  }
  const encrypted = result.refreshToken ? await createTokenCipher(cfg.tokenKey).encrypt(result.refreshToken, ctx.actor.id) : null;
  const stored = await ctx.db.transaction((tx) => storeConnection(tx, ctx.actor, identity, encrypted, result.scopes));
  rememberAccessToken(connectionCacheKey(stored.id, stored.refresh_token_encrypted), result.accessToken, result.expiresAt);
  return { returnTo: pending.returnTo, googleEmail: identity.email };
}

export async function getConnection(services: Pick<Services, 'sql'>, accountId: string): Promise<ConnectionStatus | null> {
  const [row] = await services.sql<
    {
      google_email: string;
      google_user_id: string;
      status: 'active' | 'needs_reconnecting';
      status_message: string | null;
      connected_at: string;
    }[]
  >`
    select google_email, google_user_id, status, status_message, connected_at from google_connections where account_id = ${accountId}`;
  return row
    ? {
        googleEmail: row.google_email,
        googleUserId: row.google_user_id,
        status: row.status,
        statusMessage: row.status_message,
        connectedAt: new Date(row.connected_at),
      }
    : null;
}

/** Withdraws the consent at Google and forgets the token. Course links stay, waiting for a new connection. */
export async function disconnectGoogle(ctx: Ctx, cfg: GoogleConfig): Promise<void> {
  const [row] = await ctx.sql<{ refresh_token_encrypted: string }[]>`
    select refresh_token_encrypted from google_connections where account_id = ${ctx.actor.id} and organisation_id = ${ctx.actor.organisationId}`;
  if (!row) throw new ValidationError('Google Classroom is not connected.');
  const token = await createTokenCipher(cfg.tokenKey)
    .decrypt(row.refresh_token_encrypted, ctx.actor.id)
    .catch(() => null);
  if (token) await revokeToken(cfg, token);
  await ctx.db.transaction(async (tx) => {
    await tx.execute(dsql`delete from google_connections where account_id = ${ctx.actor.id}`);
    await tx.execute(dsql`
      update classroom_course_links set sync_state = 'needs_reconnecting',
        sync_message = 'Google Classroom was disconnected. Connect again to keep this class in sync.'
      where owner_id = ${ctx.actor.id}`);
    await recordAudit(tx, ctx.actor, 'classroom.disconnected');
  });
}

/** A Classroom client acting as the given administrator; typed errors when there is no usable connection. */
export async function classroomClientFor(services: Pick<Services, 'sql'>, cfg: GoogleConfig, accountId: string): Promise<ClassroomClient> {
  const [row] = await services.sql<{ id: string; refresh_token_encrypted: string; status: string; google_user_id: string }[]>`
    select id, refresh_token_encrypted, status, google_user_id from google_connections where account_id = ${accountId}`;
  if (!row) throw new GoogleReconnectNeededError('Google Classroom is not connected. Connect to Google Classroom first.');
  if (row.status !== 'active') throw new GoogleReconnectNeededError();
  const refreshToken = await createTokenCipher(cfg.tokenKey).decrypt(row.refresh_token_encrypted, accountId);
  return classroomClient(cfg, {
    refreshToken,
    cacheKey: connectionCacheKey(row.id, row.refresh_token_encrypted),
    rateKey: row.google_user_id,
  });
}

/**
 * Google answered invalid_grant: mark the connection, hold the teacher's links, and tell the
 * teacher once (only on the change from active).
 */
export async function markNeedsReconnecting(services: Services, accountId: string): Promise<void> {
  await services.db.transaction(async (tx) => {
    const rows = await tx.execute<{ organisation_id: string; email: string; first_name: string }>(dsql`
      update google_connections c set status = 'needs_reconnecting', updated_at = now(),
        status_message = ${NEEDS_RECONNECTING_MESSAGE}
      from accounts a
      where c.account_id = ${accountId} and a.id = c.account_id and c.status = 'active'
      returning c.organisation_id, a.email, a.first_name`);
    await tx.execute(dsql`
      update classroom_course_links set sync_state = 'needs_reconnecting', sync_message = ${NEEDS_RECONNECTING_MESSAGE}
      where owner_id = ${accountId}`);
    const who = rows[0];
    if (!who) return;
    await queueEmail(tx, {
      organisationId: who.organisation_id,
      to: who.email,
      subject: 'Reconnect Google Classroom to keep your classes in sync',
      text:
        `Hello ${who.first_name},\n\nGoogle no longer accepts Rosterbridge's access to your Google Classroom (it was withdrawn or has expired), ` +
        `so your linked classes have stopped syncing. Nothing was changed.\n\nTo resume, sign in to Rosterbridge and choose ` +
        `Connect to Google Classroom on ${services.appUrl}/classroom\n`,
    });
  });
}
