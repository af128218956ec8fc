import { and, eq, lt, sql } from 'drizzle-orm';
import type { Services } from '../context.js';
import { randomToken, sha256Hex } from '../crypto-tokens.js';
import { sessions } from '../db/schema/index.js';
import { actorColumnsSql, type LoadedActor } from './actor.js';

export const SESSION_COOKIE = 'rb_session';
/** Idle sessions end after this long; every request slides the window. */
export const SESSION_IDLE_SECONDS = 60 * 60 * 12;

export interface SessionRecord {
  id: string;
  accountId: string;
  csrfToken: string;
  data: Record<string, unknown>;
}

export async function createSession(services: Pick<Services, 'db'>, accountId: string): Promise<{ token: string; session: SessionRecord }> {
  const token = randomToken();
  const id = await sha256Hex(token);
  const csrfToken = randomToken();
  await services.db.insert(sessions).values({
    id,
    accountId,
    csrfToken,
    expiresAt: sql`now() + make_interval(secs => ${SESSION_IDLE_SECONDS})`,
  });
  return { token, session: { id, accountId, csrfToken, data: {} } };
}

/**
 * The live session for a cookie value and its account as an Actor, read in one statement (every
 * signed-in request starts here); null when the session is unknown or expired, or its account is
 * gone or deactivated. The expiry slides forward at most once a minute, so an ordinary page view
 * reads and does not write.
 */
export async function findSignedIn(
  services: Pick<Services, 'db'>,
  token: string,
): Promise<{ session: SessionRecord; actor: LoadedActor } | null> {
  if (!token || token.length > 100) return null;
  const id = await sha256Hex(token);
  const rows = await services.db.execute<LoadedActor & { session: SessionRecord } & Record<string, unknown>>(sql`
    with live as (
      select id, account_id, csrf_token, data from sessions where id = ${id} and expires_at > now()
    ), slide as (
      update sessions set last_seen_at = now(), expires_at = now() + make_interval(secs => ${SESSION_IDLE_SECONDS})
      where id = ${id} and expires_at > now() and last_seen_at < now() - interval '1 minute'
    )
    select json_build_object('id', s.id, 'accountId', s.account_id, 'csrfToken', s.csrf_token, 'data', s.data) as session, ${actorColumnsSql()}
    from live s join accounts a on a.id = s.account_id and a.deactivated_at is null`);
  const row = rows[0];
  if (!row) return null;
  const { session, ...actor } = row;
  return { session, actor };
}

export async function destroySession(services: Pick<Services, 'db'>, sessionId: string): Promise<void> {
  await services.db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends every other session of an account (after a password change). */
export async function destroyOtherSessions(services: Pick<Services, 'db'>, accountId: string, keepSessionId: string): Promise<void> {
  await services.db.delete(sessions).where(and(eq(sessions.accountId, accountId), sql`${sessions.id} <> ${keepSessionId}`));
}

/** Merges keys into the session's short-lived data (OAuth state, wizard progress). */
export async function updateSessionData(services: Pick<Services, 'db'>, sessionId: string, patch: Record<string, unknown>): Promise<void> {
  await services.db
    .update(sessions)
    .set({ data: sql`${sessions.data} || ${JSON.stringify(patch)}::jsonb` })
    .where(eq(sessions.id, sessionId));
}

export async function deleteExpiredSessions(services: Pick<Services, 'db'>): Promise<number> {
  const rows = await services.db.delete(sessions).where(lt(sessions.expiresAt, sql`now()`)).returning({ id: sessions.id });
  return rows.length;
}
