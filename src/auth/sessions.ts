import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Services } from '../context.js';
import { randomToken, sha256Hex } from '../crypto-tokens.js';
import { sessions } from '../db/schema/index.js';

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

/** The live session for a cookie value, its expiry slid forward; null when unknown or expired. */
export async function findSession(services: Pick<Services, 'db'>, token: string): Promise<SessionRecord | null> {
  if (!token || token.length > 100) return null;
  const id = await sha256Hex(token);
  const rows = await services.db
    .update(sessions)
    .set({ lastSeenAt: sql`now()`, expiresAt: sql`now() + make_interval(secs => ${SESSION_IDLE_SECONDS})` })
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, sql`now()`)))
    .returning({ id: sessions.id, accountId: sessions.accountId, csrfToken: sessions.csrfToken, data: sessions.data });
  return rows[0] ?? null;
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
