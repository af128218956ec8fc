import { sql } from 'drizzle-orm';
import type { Services } from '../context.js';
import { randomToken } from '../crypto-tokens.js';
import { RateLimitedError, ValidationError } from '../errors.js';
import { recordFailure, recordSuccess, secondsUntilAllowed, throttleKeys, waitMessage } from './sign-in-throttle.js';

const GENERIC_FAILURE = 'That email and password do not match an account. Check both and try again.';

/** Verified for every unknown email so that response time does not reveal which emails exist. */
let decoyHash: Promise<string> | undefined;

export interface SignInInput {
  email: string;
  password: string;
  /** Client address (src/http/client-address.ts), for the throttle; null when unknown. */
  address: string | null;
}

export interface SignInResult {
  accountId: string;
  mustChangePassword: boolean;
}

/**
 * Checks an email and password. Unknown email and wrong password fail alike; repeated failures
 * are throttled per (email, address), per address and per email (./sign-in-throttle.ts).
 */
export async function signIn(services: Services, input: SignInInput): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  if (!email || !input.password) throw new ValidationError('Enter your email and password.');
  const keys = throttleKeys(email, input.address);
  const wait = await secondsUntilAllowed(services, keys);
  if (wait > 0) throw new RateLimitedError(waitMessage(wait), wait);
  const candidates = await services.db.execute<{
    id: string;
    password_hash: string | null;
    must_change_password: boolean;
    deactivated: boolean;
  }>(sql`
    select id, password_hash, must_change_password, deactivated_at is not null as deactivated from accounts
    where lower(email) = ${email} order by last_sign_in_at desc nulls last, created_at limit 5`);
  let match: { id: string; must_change_password: boolean; deactivated: boolean } | undefined;
  for (const candidate of candidates) {
    if (await services.passwords.verify(candidate.password_hash, input.password)) {
      match = candidate;
      break;
    }
  }
  if (candidates.length === 0) {
    decoyHash ??= services.passwords.hash(randomToken());
    await services.passwords.verify(await decoyHash, input.password);
  }
  if (!match) {
    await recordFailure(services, keys);
    throw new ValidationError(GENERIC_FAILURE);
  }
  // Told only to whoever knows the password, so it reveals nothing to a guesser.
  if (match.deactivated) throw new ValidationError('This account is deactivated. Ask your administrator to reactivate it.');
  await recordSuccess(services, keys);
  await services.sql`update accounts set last_sign_in_at = now() where id = ${match.id}`;
  return { accountId: match.id, mustChangePassword: match.must_change_password };
}
