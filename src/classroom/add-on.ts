import { sql } from 'drizzle-orm';
import * as v from 'valibot';
import { randomToken, sha256Hex } from '../crypto-tokens.js';
import type { Actor, Services } from '../context.js';
import { getConnection } from './connection.js';
import { findLinkByCourse, type CourseLink } from './links.js';

/**
 * The Classroom add-on's launch: Classroom opens our attachment-discovery page in an iframe with
 * courseId, itemId, addOnToken and login_hint (the teacher's Google user id). What the teacher
 * sees depends on whether they are signed in here and connected as that Google account.
 */

export const AddOnLaunchSchema = v.object({
  courseId: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'courseId is missing or malformed.')),
  itemId: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,128}$/)), undefined),
  addOnToken: v.optional(v.pipe(v.string(), v.maxLength(4096)), undefined),
  login_hint: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9@._+-]{1,254}$/)), undefined),
});
export type AddOnLaunch = v.InferOutput<typeof AddOnLaunchSchema>;

export type AddOnState =
  | { kind: 'sign-in' }
  | { kind: 'connect'; reconnect: boolean }
  | { kind: 'other-account'; googleEmail: string }
  | { kind: 'linked'; link: CourseLink }
  | { kind: 'not-linked' };

export async function addOnState(services: Services, actor: Actor | null, launch: AddOnLaunch): Promise<AddOnState> {
  if (actor?.kind !== 'administrator') return { kind: 'sign-in' };
  const connection = await getConnection(services, actor.id);
  if (!connection) return { kind: 'connect', reconnect: false };
  if (connection.status !== 'active') return { kind: 'connect', reconnect: true };
  const hint = launch.login_hint;
  if (hint && hint !== connection.googleUserId && hint.toLowerCase() !== connection.googleEmail.toLowerCase()) {
    return { kind: 'other-account', googleEmail: connection.googleEmail };
  }
  const link = await findLinkByCourse({ ...services, actor }, launch.courseId);
  return link ? { kind: 'linked', link } : { kind: 'not-linked' };
}

/** How long the popup's token is good for: enough for one postMessage and one request. */
export const HANDOFF_SECONDS = 45;

/**
 * With third-party cookies blocked, the framed add-on never sees the session the teacher has in
 * a tab. The sign-in popup (first-party) issues this single-use token and posts it to the frame,
 * which trades it for a session of its own (a partitioned cookie).
 */
export async function issueAddOnHandoff(services: Pick<Services, 'db'>, accountId: string): Promise<string> {
  const token = randomToken(32);
  await services.db.execute(sql`delete from classroom_add_on_handoffs where expires_at < now()`);
  await services.db.execute(sql`
    insert into classroom_add_on_handoffs (token_hash, account_id, expires_at)
    values (${await sha256Hex(token)}, ${accountId}, now() + make_interval(secs => ${HANDOFF_SECONDS}))`);
  return token;
}

/** The account the token was issued for, once: a second use, or a late one, gets null. */
export async function redeemAddOnHandoff(services: Pick<Services, 'db'>, token: string): Promise<string | null> {
  if (!token || token.length > 200) return null;
  const [row] = await services.db.execute<{ account_id: string }>(sql`
    delete from classroom_add_on_handoffs where token_hash = ${await sha256Hex(token)} and expires_at > now() returning account_id`);
  return row?.account_id ?? null;
}
