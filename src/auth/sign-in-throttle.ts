import type { Services } from '../context.js';

/**
 * The sign-in throttle. Failures are counted in PostgreSQL (sign_in_throttle) under three keys:
 *
 * - the pair (email typed, client address): `pairFailures` lock that email from that address for
 *   `lockSeconds`. A person who mistypes locks only themselves, only where they are.
 * - the client address: `addressFailures` across every email lock the address (one machine
 *   trying many accounts). With TRUST_PROXY set, the address is the client's, not the proxy's.
 * - the email across all addresses: from `accountFailures` on, each failure makes the next try
 *   wait (2 s, 4 s, 8 s, ... at most `accountMaxDelaySeconds`), so a guesser spread over many
 *   addresses is slowed to about a dozen guesses an hour. It never locks for longer than that.
 *
 * Neither of the last two applies where the account signed in before (for `knownAddressSeconds`):
 * an attacker cannot lock a person out of their own account from their own address, nor lock a
 * whole school out behind the school's one address; there only the pair's own count limits.
 *
 * Counts start again once the window has passed without a failure. Keys use the email as typed
 * (lower-cased), whether or not an account has it, so nothing here tells which accounts exist.
 */
export const THROTTLE = {
  pairFailures: 5,
  addressFailures: 50,
  accountFailures: 20,
  windowSeconds: 15 * 60,
  lockSeconds: 15 * 60,
  accountFirstDelaySeconds: 2,
  accountMaxDelaySeconds: 5 * 60,
  knownAddressSeconds: 30 * 24 * 60 * 60,
} as const;

/** Expired rows deleted after each failure: more than a failure adds, so the table cannot grow without bound. */
const PRUNE_BATCH = 200;

export interface ThrottleKeys {
  pair: string;
  address: string;
  account: string;
}

export function throttleKeys(email: string, address: string | null): ThrottleKeys {
  const where = address ?? 'unknown';
  return { pair: `pair:${email} ${where}`, address: `address:${where}`, account: `account:${email}` };
}

/** Seconds until these keys may try again (0: now). At an address the account signed in from, only the pair's lock counts. */
export async function secondsUntilAllowed(services: Services, keys: ThrottleKeys): Promise<number> {
  const rows = await services.sql<{ seconds: number }[]>`
    select coalesce(max(ceil(extract(epoch from t.locked_until - now()))), 0)::int as seconds
    from sign_in_throttle t
    where t.locked_until > now()
      and (t.key = ${keys.pair}
        or (t.key in (${keys.address}, ${keys.account})
          and not exists (select 1 from sign_in_throttle p where p.key = ${keys.pair} and p.known_until > now())))`;
  return rows[0]?.seconds ?? 0;
}

/** Counts one failure under all three keys in one statement (each row locked while it is updated, so concurrent failures all count). */
export async function recordFailure(services: Services, keys: ThrottleKeys): Promise<void> {
  const t = THROTTLE;
  const keep = Math.max(t.windowSeconds, t.lockSeconds, t.accountMaxDelaySeconds);
  const count = services.sql`case when r.last_failure_at > now() - make_interval(secs => ${t.windowSeconds}) then r.failures + 1 else 1 end`;
  await services.sql`
    with policy (key, lim, first_lock, max_lock) as (values
      (${keys.pair}::text, ${t.pairFailures}::int, ${t.lockSeconds}::int, ${t.lockSeconds}::int),
      (${keys.address}, ${t.addressFailures}, ${t.lockSeconds}, ${t.lockSeconds}),
      (${keys.account}, ${t.accountFailures}, ${t.accountFirstDelaySeconds}, ${t.accountMaxDelaySeconds}))
    insert into sign_in_throttle as r (key, failures, last_failure_at, expires_at)
    select key, 1, now(), now() + make_interval(secs => ${keep}) from policy
    on conflict (key) do update set
      failures = ${count},
      last_failure_at = now(),
      locked_until = (
        select case when ${count} >= p.lim
          then now() + make_interval(secs => least(p.first_lock * power(2, ${count} - p.lim), p.max_lock))
          else r.locked_until end
        from policy p where p.key = excluded.key),
      expires_at = greatest(now() + make_interval(secs => ${keep}), r.known_until)`;
  await pruneThrottle(services, PRUNE_BATCH);
}

/** Deletes up to `limit` rows that no longer matter (their window, lock and known address have all run out). */
export async function pruneThrottle(services: Services, limit: number): Promise<number> {
  const rows = await services.sql`
    delete from sign_in_throttle where key in (
      select key from sign_in_throttle where expires_at < now() order by expires_at limit ${limit})`;
  return rows.count;
}

/** A sign-in succeeded: the pair's count starts again, and the address is one the account is known at. */
export async function recordSuccess(services: Services, keys: ThrottleKeys): Promise<void> {
  await services.sql`
    insert into sign_in_throttle as r (key, failures, known_until, expires_at)
    values (${keys.pair}, 0, now() + make_interval(secs => ${THROTTLE.knownAddressSeconds}),
      now() + make_interval(secs => ${THROTTLE.knownAddressSeconds}))
    on conflict (key) do update set failures = 0, last_failure_at = null, locked_until = null,
      known_until = excluded.known_until, expires_at = excluded.expires_at`;
}

/** What the person is told: when to try again, the same whichever key is locked and whether or not the account exists. */
export function waitMessage(seconds: number): string {
  const when =
    seconds < 60
      ? `${seconds} second${seconds === 1 ? '' : 's'}`
      : `${Math.ceil(seconds / 60)} minute${Math.ceil(seconds / 60) === 1 ? '' : 's'}`;
  return `Too many failed sign-in attempts. Try again in ${when}. If you have forgotten your password, ask your administrator to reset it.`;
}
