import * as v from 'valibot';
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
  if (!actor || actor.kind !== 'administrator') return { kind: 'sign-in' };
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
