import { sql } from 'drizzle-orm';
import type { Services } from '../context.js';
import { randomToken } from '../crypto-tokens.js';
import { RateLimitedError, ValidationError } from '../errors.js';

/** Failures allowed per key within the window before the key is locked for LOCK_SECONDS. */
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_ADDRESS = 30;
export const WINDOW_SECONDS = 15 * 60;
export const LOCK_SECONDS = 15 * 60;

const GENERIC_FAILURE = 'That email and password do not match an account. Check both and try again.';

/** Verified for every unknown email so that response time does not reveal which emails exist. */
let decoyHash: Promise<string> | undefined;

export interface SignInInput {
  email: string;
  password: string;
  /** Client address, for the per-address throttle; null when unknown. */
  address: string | null;
}

export interface SignInResult {
  accountId: string;
  mustChangePassword: boolean;
}

async function lockedFor(services: Services, keys: string[]): Promise<number> {
  const rows = await services.sql<{ seconds: number }[]>`
    select coalesce(max(ceil(extract(epoch from locked_until - now()))), 0)::int as seconds
    from sign_in_failures where key = any(${keys}) and locked_until > now()`;
  return rows[0]?.seconds ?? 0;
}

async function recordFailure(services: Services, key: string, limit: number): Promise<void> {
  await services.sql`
    insert into sign_in_failures as f (key, failures, window_started_at)
    values (${key}, 1, now())
    on conflict (key) do update set
      failures = case when f.window_started_at < now() - make_interval(secs => ${WINDOW_SECONDS}) then 1 else f.failures + 1 end,
      window_started_at = case when f.window_started_at < now() - make_interval(secs => ${WINDOW_SECONDS}) then now() else f.window_started_at end,
      locked_until = case
        when f.window_started_at >= now() - make_interval(secs => ${WINDOW_SECONDS}) and f.failures + 1 >= ${limit}
        then now() + make_interval(secs => ${LOCK_SECONDS}) else f.locked_until end`;
}

/**
 * Checks an email and password. Unknown email and wrong password fail alike; repeated failures
 * lock the email (and, at a higher count, the client address) for a while.
 */
export async function signIn(services: Services, input: SignInInput): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  if (!email || !input.password) throw new ValidationError('Enter your email and password.');
  const keys = [`email:${email}`, ...(input.address ? [`address:${input.address}`] : [])];
  const wait = await lockedFor(services, keys);
  if (wait > 0) {
    throw new RateLimitedError(
      `Too many failed sign-in attempts. Wait ${Math.ceil(wait / 60)} minute(s) and try again, or ask your administrator to reset your password.`,
      wait,
    );
  }
  const candidates = await services.db.execute<{ id: string; password_hash: string | null; must_change_password: boolean; deactivated: boolean }>(sql`
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
    await recordFailure(services, `email:${email}`, MAX_FAILURES_PER_EMAIL);
    if (input.address) await recordFailure(services, `address:${input.address}`, MAX_FAILURES_PER_ADDRESS);
    throw new ValidationError(GENERIC_FAILURE);
  }
  // Told only to whoever knows the password, so it reveals nothing to a guesser.
  if (match.deactivated) throw new ValidationError('This account is deactivated. Ask your administrator to reactivate it.');
  await services.sql`delete from sign_in_failures where key = ${`email:${email}`}`;
  await services.sql`update accounts set last_sign_in_at = now() where id = ${match.id}`;
  return { accountId: match.id, mustChangePassword: match.must_change_password };
}
