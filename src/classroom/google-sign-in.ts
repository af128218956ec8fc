import type { Services } from '../context.js';
import { randomToken, safeEqual } from '../crypto-tokens.js';
import { DomainError } from '../errors.js';
import type { GoogleConfig } from './config.js';
import { ConsentFailedError, exchangeOrExplain, type PendingConsent } from './connection.js';
import { buildAuthUrl, pkcePair } from './google-client.js';

/**
 * "Sign in with Google" for teachers launching the Classroom add-on who are not signed in here:
 * Google says who they are (a verified ID token, state and PKCE as for connecting), and the
 * Rosterbridge administrator whose connection is that Google account is signed in.
 */

const MAX_AGE_MS = 10 * 60 * 1000;

export class NoConnectedAccountError extends DomainError {
  constructor(readonly googleEmail: string) {
    super(
      `No Rosterbridge account is connected to the Google account ${googleEmail} yet. Sign in with your email and password once, then choose Connect to Google Classroom; after that, Sign in with Google works.`,
    );
  }
}

export async function beginGoogleSignIn(
  cfg: GoogleConfig,
  input: { returnTo: string; loginHint?: string | null },
): Promise<{ pending: PendingConsent; url: string }> {
  const { verifier, challenge } = await pkcePair();
  const pending: PendingConsent = { state: randomToken(24), verifier, returnTo: input.returnTo, startedAt: Date.now() };
  return {
    pending,
    url: buildAuthUrl(cfg, { state: pending.state, codeChallenge: challenge, loginHint: input.loginHint ?? null, signInOnly: true }),
  };
}

/** The account to sign in: the administrator connected as this Google account (in one organisation). */
export async function completeGoogleSignIn(
  services: Services,
  cfg: GoogleConfig,
  input: { pending: PendingConsent | null; state: string | undefined; code: string | undefined; error: string | undefined },
): Promise<{ accountId: string; returnTo: string }> {
  const { pending } = input;
  if (!pending || !input.state || !safeEqual(input.state, pending.state) || Date.now() - pending.startedAt > MAX_AGE_MS) {
    throw new ConsentFailedError(
      'This Google sign-in was not started from this browser, or it took too long. Start again from Google Classroom.',
    );
  }
  if (input.error || !input.code)
    throw new ConsentFailedError('You were not signed in because Google did not confirm who you are. Start again from Google Classroom.');
  const { identity } = await exchangeOrExplain(
    cfg,
    { code: input.code, codeVerifier: pending.verifier },
    'Start again from Google Classroom.',
  );
  const rows = await services.sql<{ account_id: string }[]>`
    select c.account_id from google_connections c join accounts a on a.id = c.account_id
    where c.google_user_id = ${identity.googleUserId} and a.kind = 'administrator' and a.deactivated_at is null`;
  if (rows.length !== 1) throw new NoConnectedAccountError(identity.email);
  return { accountId: rows[0]!.account_id, returnTo: pending.returnTo };
}
