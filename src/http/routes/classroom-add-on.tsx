import { Hono, type MiddlewareHandler } from 'hono';
import * as v from 'valibot';
import { AddOnLaunchSchema, addOnState } from '../../classroom/add-on.js';
import { findLinkByCourse, requestSync } from '../../classroom/links.js';
import { ValidationError } from '../../errors.js';
import { AddOnDiscoveryPage, AddOnDocument, launchParams } from '../../../views/pages/classroom-add-on.js';
import type { AppContext, AppEnv } from '../types.js';
import { googleConfigOf, startGoogleSignIn } from './classroom-connect.js';

/** Classroom frames the add-on; with the built-in sandbox, our own origin plays Classroom. */
function frameableByClassroom(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('frameAncestors', googleConfigOf(c).sandbox ? "https://classroom.google.com 'self'" : 'https://classroom.google.com');
    await next();
  };
}

function launchOf(c: AppContext) {
  const parsed = v.safeParse(AddOnLaunchSchema, {
    courseId: c.req.query('courseId') ?? '',
    itemId: c.req.query('itemId') || undefined,
    addOnToken: c.req.query('addOnToken') || undefined,
    login_hint: c.req.query('login_hint') || undefined,
  });
  if (!parsed.success) throw new ValidationError('This page is opened by Google Classroom, with the class it was opened from.');
  return parsed.output;
}

/** The Classroom add-on's iframe pages: the only pages of Rosterbridge that may be framed, and only by Classroom. */
export const classroomAddOnRoutes = new Hono<AppEnv>()
  .use(frameableByClassroom())
  .get('/attachment-discovery', async (c) => {
    const launch = launchOf(c);
    const state = await addOnState(c.get('services'), c.get('actor'), launch);
    const here = `/classroom-add-on/attachment-discovery?${new URLSearchParams(launchParams(launch))}`;
    return c.html(
      '<!DOCTYPE html>' +
        (
          <AddOnDocument title="Rosterbridge add-on" csrfToken={c.get('csrfToken')} sandbox={googleConfigOf(c).sandbox}>
            <AddOnDiscoveryPage csrfToken={c.get('csrfToken')} state={state} launch={launch} here={here} />
          </AddOnDocument>
        ).toString(),
    );
  })
  // "Sign in with Google", opened in a new tab from the frame; back to the add-on page once signed in.
  .get('/sign-in', async (c) => {
    const launch = launchOf(c);
    return startGoogleSignIn(c, `/classroom-add-on/attachment-discovery?${new URLSearchParams(launchParams(launch))}`, launch.login_hint ?? null);
  })
  .post('/sync', async (c) => {
    const launch = launchOf(c);
    const actor = c.get('actor');
    if (!actor || actor.kind !== 'administrator') return c.notFound();
    const ctx = { ...c.get('services'), actor };
    const link = await findLinkByCourse(ctx, launch.courseId);
    if (!link) return c.notFound();
    await requestSync(ctx, link.id);
    return c.redirect(`/classroom-add-on/attachment-discovery?${new URLSearchParams(launchParams(launch))}`, 303);
  });
